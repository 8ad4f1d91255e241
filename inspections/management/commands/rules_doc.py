"""manage.py rules_doc: write docs/rules.md from the rule registry (or, with --check, fail when stale)."""

from __future__ import annotations

from inspections.rules.doc import rules_markdown
from smz_platform.common.generated_doc import GeneratedDocCommand


class Command(GeneratedDocCommand):
    help = "Write docs/rules.md from the rule registry."
    page, command = "docs/rules.md", "rules_doc"
    render = staticmethod(rules_markdown)
