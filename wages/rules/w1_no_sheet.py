"""W1 — no wage sheet (工资支付表) for a month with valid attendance, by the pay day (鄂建文〔2019〕27号 一(五): every
employer keeps a monthly wage sheet and files it with the general contractor). One finding per project,
employer and month; a sheet entered later clears it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.rules import words
from inspections.rules.base import Finding
from projects.models import Enterprise
from smz_platform.common.months import month_end
from wages.rules import months_judged, wage_rule, worker_months_judged
from wages.selectors import pay_day, sheets_of

CODE = "W1"


@dataclass(frozen=True)
class EmployerMonth:
    project_id: int
    employer_id: int
    employer: str
    month: dt.date
    pay_day: dt.date
    workers: int  # workers with valid attended days
    worker_days: int
    has_sheet: bool


def evaluate(months: list[EmployerMonth]) -> list[Finding]:
    return [
        Finding(
            CODE,
            m.project_id,
            "enterprise",
            m.employer_id,
            m.employer,
            m.month,
            month_end(m.month),
            evidence={
                "month": m.month.isoformat(),
                "pay_day": m.pay_day.isoformat(),
                "workers": m.workers,
                "worker_days": m.worker_days,
            },
            period_key=m.month.isoformat(),
        )
        for m in months
        if m.workers and not m.has_sheet
    ]


def collect(ctx) -> list[Finding]:
    judged = months_judged(ctx, CODE, due=True)
    every_month = {m for months in judged.values() for m in months}
    found = worker_months_judged(ctx, judged)
    sheets = sheets_of(project_ids=judged, months=every_month)
    attended: dict[tuple[int, int, dt.date], list[int]] = defaultdict(list)
    for wm in found.values():
        if wm.days and wm.employer_id and wm.month in judged[wm.project_id]:
            attended[(wm.project_id, wm.employer_id, wm.month)].append(wm.days)
    names = dict(Enterprise.objects.filter(pk__in={k[1] for k in attended}).values_list("pk", "name"))
    return evaluate(
        [
            EmployerMonth(
                project_id,
                employer_id,
                names.get(employer_id, ""),
                month,
                pay_day(month, ctx.policy(project_id)),
                len(days),
                sum(days),
                (project_id, employer_id, month) in sheets,
            )
            for (project_id, employer_id, month), days in sorted(attended.items())
        ]
    )


def describe(item) -> str:
    e = item.evidence
    return (
        f"{item.subject or '用工单位'}{words.month(item.period_start)}有{e.get('workers', 0)}名工人"
        f"共{e.get('worker_days', 0)}个有效考勤日，至发薪日{words.day(e.get('pay_day'))}仍未编制工资支付表。"
    )


SPEC = wage_rule(
    code=CODE,
    name="未按月编制工资支付表",
    label=_("No wage sheet for a month with attendance (未按月编制工资支付表)"),
    title="分包企业……建立实名制管理台账，编制作业工人工资支付表，并按时将台账提交建筑企业备案",
    source="鄂建文〔2019〕27号 一(五)",
    resolves=True,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("wage_pay_day",),
    note="按有效考勤判定：某用工单位当月有工人有效考勤、发薪日过后仍无该单位当月工资支付表即预警；补录工资支付表后解除。",
)
