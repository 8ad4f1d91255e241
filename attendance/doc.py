"""docs/device-api.md: its table of a punch record's fields is written from the contract (manage.py
device_api_doc; a test fails when it is stale); the prose around it is written by hand."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import CommandError

from attendance.contract import fields_markdown

PAGE = "docs/device-api.md"
START = "<!-- fields: written by `manage.py device_api_doc` from attendance/contract.py; do not edit -->\n"
END = "<!-- /fields -->\n"


def device_api_markdown() -> str:
    """The page as it is, with the fields' table between its markers written again from the contract."""
    path = Path(settings.BASE_DIR) / PAGE
    if not path.exists():
        raise CommandError(f"{PAGE} is missing: its prose is written by hand, the fields' table between markers.")
    text = path.read_text(encoding="utf-8")
    before, marker, rest = text.partition(START)
    _table, end, after = rest.partition(END)
    if not marker or not end:
        raise CommandError(f"{PAGE} has lost its fields' markers ({START.strip()} … {END.strip()})")
    return before + START + fields_markdown() + END + after
