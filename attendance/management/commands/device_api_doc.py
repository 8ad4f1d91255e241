"""manage.py device_api_doc: write the punch fields' table of docs/device-api.md from the contract (or,
with --check, fail when it is stale)."""

from __future__ import annotations

from attendance.doc import PAGE, device_api_markdown
from smz_platform.common.generated_doc import GeneratedDocCommand


class Command(GeneratedDocCommand):
    help = "Write the punch fields' table of docs/device-api.md from attendance/contract.py."
    page, command = PAGE, "device_api_doc"
    render = staticmethod(device_api_markdown)
