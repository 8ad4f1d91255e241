"""manage.py seed_demo: fill an empty database with the demo city (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from inspections.engine import rules_run
from projects.models import Project, User
from projects.scope.accounts import role_words
from reports.dashboard.rollup import district_days_roll_up
from reports.demo import registry as demo
from reports.demo.attendance import seed_attendance
from reports.demo.devices import seed_devices
from reports.demo.enforcement import seed_enforcement
from reports.demo.rights import seed_boards, seed_complaints, seed_worker
from reports.demo.wages import seed_wages
from reports.demo.zhongshan import seed_zhongshan

DEMO_SEED = 2026


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo city and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (but print the logins) when the database holds data."
        )
        parser.add_argument("--workers-per-project", type=int, default=70, help="workers engaged on each project")
        parser.add_argument("--days", type=int, default=61, help="days of attendance before today (0: none)")

    def handle(self, *args, if_empty: bool = False, workers_per_project: int = 70, days: int = 61, **options):
        if User.objects.exists() or Project.objects.exists():
            if not if_empty:
                raise CommandError("数据库不为空：演示数据只能装入空数据库。 (The database is not empty.)")
            self.stdout.write("数据库已有数据，跳过演示数据。")
            self._print_logins(demo_logins())
            return
        if not 1 <= workers_per_project <= 1000:
            raise CommandError("--workers-per-project must be between 1 and 1000.")
        if not 0 <= days <= 400:
            raise CommandError("--days must be between 0 and 400.")
        rng = random.Random(DEMO_SEED)
        with transaction.atomic():
            registry = demo.seed_registry(rng=rng, workers_per_project=workers_per_project)
            seed_devices(rng=rng, projects=registry.projects)
            logins = demo.seed_accounts(registry=registry)
            demo.seed_status_requests(registry=registry)
            planted, loopholes = seed_attendance(rng=rng, days=days) if days else ({}, {})
            # A second city under the Zhongshan preset, after Ningbo's attendance (which takes every active
            # project) and before the nights, which judge both, each by its own policy.
            zhongshan = seed_zhongshan(rng=random.Random(DEMO_SEED + 1), days=days)
            logins += zhongshan.logins
            # Two months of wages on every active project, one project per wage rule (W1–W7).
            taken = {p.pk for p in (*planted.values(), *loopholes.values()) if p is not None}
            wages = seed_wages(rng=random.Random(DEMO_SEED + 2), taken=taken) if days else {}
            board = seed_boards(rng=random.Random(DEMO_SEED + 3))
            complaints = seed_complaints(board=board, rng=random.Random(DEMO_SEED + 4)) if board is not None else []
        worker = None
        if days:
            # The nightly rules over the last month of the demo's history (the earlier month gives the
            # rules the presence they look back on), so that alerts are there on first login.
            today = timezone.localdate()
            for offset in range(min(days, 31), 0, -1):
                rules_run(day=today - dt.timedelta(days=offset))
            with transaction.atomic():
                seed_enforcement(rng=rng, planted=planted)
            # The worker who signs in: chosen once the nights have found the punches that do not count.
            worker = seed_worker()
            # The dashboard's 30-day trends, as the nightly roll-up would have left them.
            for offset in range(min(days, 30), 0, -1):
                district_days_roll_up(day=today - dt.timedelta(days=offset), with_managers=offset == 1)
            self.stdout.write("预置违规项目（规则 → 项目）：")
            for rule, project in (*planted.items(), *wages.items()):
                self.stdout.write(f"  {rule}  {project.name}")
            self.stdout.write("预置规避情形（平台仍按通知判定）：")
            for project in loopholes.values():
                self.stdout.write(f"  {project.name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成：{len(registry.districts)} 个区县，{len(registry.projects)} 个项目，"
                f"{registry.projects[0].engagements.model.objects.count()} 条进场登记。"
            )
        )
        self.stdout.write(
            f"第二个演示城市：{zhongshan.city.name}（中山口径），{len(zhongshan.projects)} 个项目，每项一条通知条款："
        )
        for project in zhongshan.projects.values():
            self.stdout.write(f"  {project.name}")
        if board is not None:
            self.stdout.write(
                f"维权告示牌（无需登录，扫码即开）：{board.project.name}  /board/{board.token}/ "
                "（每个在建项目一块，总包在项目页“维权告示牌”打印）"
            )
        if worker is not None:
            self.stdout.write(
                f"工人本人查询（/worker/，无需账号）：身份证号 {worker.id_number}  姓名 {worker.name}  "
                f"（{worker.project}；验证码发往 {worker.phone}，演示环境见服务器日志中的“短信”）"
            )
        for complaint in complaints:
            self.stdout.write(
                f"举报投诉（/complaints/track/ 凭查询码查看）：{complaint.get_state_display()}  "
                f"{complaint.get_kind_display()}  查询码 {complaint.tracking_code}"
            )
        self._print_logins(logins)

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write("演示账号 (demo logins) — 用户名 / 密码 / 管辖范围:")
        for username, label, password in logins:
            self.stdout.write(f"  {username:<11} {password}  {label}")


def demo_logins() -> list[tuple[str, str, str]]:
    users = User.objects.filter(
        username__in=[
            "city",
            "haishu",
            "jiangbei",
            "contractor",
            "labour",
            "supervisor",
            "vendor",
            "zhongshan",
            "huoju",
            "zszongbao",
        ]
    )
    return [(u.username, role_words(u), demo.DEMO_PASSWORD) for u in users.order_by("id")]
