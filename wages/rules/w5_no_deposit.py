"""W5 — no labour-cost deposit (人工费用拨付) for a policy number of months while the project is under
construction (鄂建文〔2019〕27号 一(三): the owner pays the workers' wages into the contractor's special account on
time and in full). A deposit covers the months it names; the finding is the run of uncovered months up to
the last month that is over, from the project's start, once it reaches the policy's length. A deposit that
covers them clears it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.rules import words
from inspections.rules.base import Finding
from smz_platform.common.months import month_start, months_between, previous_month
from wages.models import LabourCostDeposit, WageAccount
from wages.rules import wage_rule

CODE = "W5"


@dataclass(frozen=True)
class Coverage:
    project_id: int
    name: str
    uncovered: tuple[dt.date, ...]  # the trailing run of months no deposit covers, oldest first
    has_account: bool
    limit: int  # the policy's months (w5_deposit_months)


def evaluate(projects: list[Coverage]) -> list[Finding]:
    findings = []
    for p in projects:
        limit = p.limit
        if len(p.uncovered) >= limit:
            first = p.uncovered[0]
            findings.append(
                Finding(
                    CODE,
                    p.project_id,
                    "project",
                    p.project_id,
                    p.name,
                    first,
                    p.uncovered[-1],
                    evidence={
                        "months": [m.isoformat() for m in p.uncovered],
                        "limit": limit,
                        "has_account": p.has_account,
                    },
                    period_key=first.isoformat(),
                )
            )
    return findings


def collect(ctx) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    covered: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for project_id, first, last in LabourCostDeposit.objects.filter(
        project_id__in=active, paid_on__lte=ctx.day
    ).values_list("project_id", "first_month", "last_month"):
        covered[project_id].append((first, last))
    accounts = set(WageAccount.objects.filter(project_id__in=active).values_list("project_id", flat=True))
    last_over = previous_month(month_start(ctx.day))
    projects = []
    for pk, project in active.items():
        start = month_start(ctx.timelines[pk].start_on(ctx.day))
        run: list[dt.date] = []
        for month in reversed(months_between(start, last_over) if start <= last_over else []):
            if any(first <= month <= last for first, last in covered[pk]):
                break
            run.append(month)
        limit = ctx.policy(pk).w5_deposit_months
        projects.append(Coverage(pk, project.name, tuple(reversed(run)), pk in accounts, limit))
    return evaluate(projects)


def describe(item) -> str:
    e = item.evidence
    months = e.get("months", [])
    account = "" if e.get("has_account", True) else "，且未登记工资专用账户"
    return (
        f"{words.month(item.period_start)}至{words.month(item.period_end)}连续{len(months)}个月"
        f"无建设单位人工费用拨付记录{account}。"
    )


SPEC = wage_rule(
    code=CODE,
    name="人工费用未按时拨付",
    label=_("No labour-cost deposit for months (人工费用未按时拨付)"),
    title="按照工程进度或相关合同约定将建筑工人工资按时足额支付至建筑企业在银行开设的工资专用账户",
    source="鄂建文〔2019〕27号 一(三)",
    resolves=True,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("w5_deposit_months",),
    note="拨付记录覆盖其所载月份；自开工月起，截至上月连续未覆盖的月数达到口径即预警，补录覆盖这些月份的拨付后解除。",
)
