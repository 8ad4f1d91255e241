"""A page of docs/ written from code (the rules table, the access matrix): a command writes it, and with
--check fails when the committed page is stale (the tests call the same check)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class GeneratedDocCommand(BaseCommand):
    """Subclasses name the page (`page`, relative to BASE_DIR) and how it is rendered (`render`)."""

    page: str = ""
    render: Callable[[], str]
    command: str = ""

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help=f"fail when {self.page} is not up to date")

    def handle(self, *args, check: bool, **options):
        path = Path(settings.BASE_DIR) / self.page
        text = type(self).render()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{self.page} is stale: run `python manage.py {self.command}`.")
            self.stdout.write(f"{self.page} is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
