"""manage.py wage_records_purge: the wage records kept past their retention, listed; removed with --apply.

Seed 003 §三(五) keeps the wage records (工资支付表, 劳动合同, 退场确认书…) 2 years after the project's
completion; the policy's `wage_retention_years` sets it per district. Without --apply the command only
says what it would remove, project by project; with it, it removes them and logs each project in the
audit log under the operator's name.
"""

from __future__ import annotations

import datetime as dt
import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wages.selectors import wage_records_expired
from wages.services import wage_records_purge

LABELS = {
    "wage_sheets": "工资支付表",
    "wage_lines": "工资明细",
    "labour_contracts": "劳动合同",
    "exit_settlements": "退场结算",
    "deposits": "人工费拨付",
    "wage_accounts": "工资专用账户",
}


class Command(BaseCommand):
    help = "List the wage records past their retention after completion; --apply removes them (audited)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="remove them (without it: only list them)")
        parser.add_argument("--date", help="judge as of this day, YYYY-MM-DD (default: today; not in the future)")
        parser.add_argument("--operator", default="", help="who runs it, for the audit log (default: the OS user)")

    def handle(self, *args, apply: bool, date: str | None, operator: str, **options):
        today = timezone.localdate()
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD).") from None
            if day > today:
                raise CommandError(f"--date {date} is in the future: records are never removed ahead of time.")
            today = day
        expired = (
            wage_records_purge(today=today, operator=operator or getpass.getuser())
            if apply
            else (wage_records_expired(today=today))
        )
        if not expired:
            self.stdout.write(f"{today}：没有超过保存期限的工资档案。 (Nothing is past its retention.)")
            return
        verb = "已删除" if apply else "将删除"
        for found in expired:
            held = "，".join(f"{LABELS[key]} {n}" for key, n in found.counts.items() if n)
            self.stdout.write(
                f"{found.permit_no} {found.name}：竣工 {found.completed_on}，保存至 {found.kept_until}；{verb}：{held}"
            )
        total = sum(sum(found.counts.values()) for found in expired)
        if apply:
            self.stdout.write(
                self.style.SUCCESS(f"已删除 {len(expired)} 个项目的 {total} 条工资档案（已记入审计日志）。")
            )
        else:
            self.stdout.write(
                f"试运行：{len(expired)} 个项目的 {total} 条记录将被删除，未做任何删除。加 --apply 执行。 "
                "(Dry run: nothing was removed; add --apply.)"
            )
