"""manage.py rules_doc: write docs/rules.md from the rule registry (or, with --check, fail when stale)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inspections.rules.doc import rules_markdown


class Command(BaseCommand):
    help = "Write docs/rules.md from the rule registry."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail when docs/rules.md is not up to date")

    def handle(self, *args, check: bool, **options):
        path = Path(settings.BASE_DIR) / "docs" / "rules.md"
        text = rules_markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError("docs/rules.md is stale: run `python manage.py rules_doc`.")
            self.stdout.write("docs/rules.md is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
