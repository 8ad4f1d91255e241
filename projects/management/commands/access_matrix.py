"""manage.py access_matrix: write docs/access.md from the one scope's table (or, with --check, fail when stale)."""

from __future__ import annotations

from projects.scope.matrix import access_markdown
from smz_platform.common.generated_doc import GeneratedDocCommand


class Command(GeneratedDocCommand):
    help = "Write docs/access.md (who may see and do what) from projects/scope/table.py."
    page, command = "docs/access.md", "access_matrix"
    render = staticmethod(access_markdown)
