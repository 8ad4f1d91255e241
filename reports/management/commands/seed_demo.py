"""manage.py seed_demo: fill an empty database with the demo city (api.md §3)."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devices.demo import seed_devices
from projects import demo
from projects.models import Project, User

DEMO_SEED = 2026


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo city and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (but print the logins) when the database holds data."
        )
        parser.add_argument("--workers-per-project", type=int, default=70, help="workers engaged on each project")

    def handle(self, *args, if_empty: bool = False, workers_per_project: int = 70, **options):
        if User.objects.exists() or Project.objects.exists():
            if not if_empty:
                raise CommandError("数据库不为空：演示数据只能装入空数据库。 (The database is not empty.)")
            self.stdout.write("数据库已有数据，跳过演示数据。")
            self._print_logins(demo_logins())
            return
        if not 1 <= workers_per_project <= 1000:
            raise CommandError("--workers-per-project must be between 1 and 1000.")
        rng = random.Random(DEMO_SEED)
        with transaction.atomic():
            registry = demo.seed_registry(rng=rng, workers_per_project=workers_per_project)
            seed_devices(rng=rng, projects=registry.projects)
            logins = demo.seed_accounts(registry=registry)
            demo.seed_status_requests(registry=registry)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成：{len(registry.districts)} 个区县，{len(registry.projects)} 个项目，"
                f"{registry.projects[0].engagements.model.objects.count()} 条进场登记。"
            )
        )
        self._print_logins(logins)

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write("演示账号 (demo logins) — 用户名 / 密码 / 管辖范围:")
        for username, label, password in logins:
            self.stdout.write(f"  {username:<11} {password}  {label}")


def demo_logins() -> list[tuple[str, str, str]]:
    users = User.objects.filter(
        username__in=["city", "haishu", "jiangbei", "contractor", "labour", "supervisor", "vendor"]
    )
    return [(u.username, u.get_role_display(), demo.DEMO_PASSWORD) for u in users.order_by("id")]
