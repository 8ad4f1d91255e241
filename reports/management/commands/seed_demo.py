"""manage.py seed_demo: fill an empty database with the demo city (api.md §3)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_PASSWORD = "smz-demo-2026"


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo city and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) when the database already holds users.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        user_model = get_user_model()
        if user_model.objects.exists():
            if not if_empty:
                raise CommandError("数据库不为空：演示数据只能装入空数据库。 (The database is not empty.)")
            self.stdout.write("数据库已有数据，跳过演示数据。")
            self._print_logins()
            return
        with transaction.atomic():
            user_model.objects.create_superuser(username="demo", password=DEMO_PASSWORD, email="")
        self.stdout.write(self.style.SUCCESS("演示数据已生成。"))
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"演示登录 (demo login): demo / {DEMO_PASSWORD}")
