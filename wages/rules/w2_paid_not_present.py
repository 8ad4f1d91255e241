"""W2 — paid but not present (吉建管〔2021〕6号 三(三): a worker not registered may not be paid through the wage
special account): a line that paid a worker who has no valid attended day on the project that month, or
who was not engaged there by the sheet's employer that month. The days are counted again each night from
presence, never read from the line: punches found false after the sheet was made (back-filled, forged)
take the days away, and the payment stands out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.rules import words
from inspections.rules.base import Finding
from projects.models import Engagement, Person
from smz_platform.common.months import month_end
from wages.rules import months_judged, wage_rule, worker_months_judged
from wages.selectors import paid_amount

CODE = "W2"
# The reasons, in the words the alert's page shows (its evidence is shown as it is stored).
NO_DAYS, NOT_ENGAGED = "当月无有效考勤", "当月未由该单位在本项目登记用工"


@dataclass(frozen=True)
class PaidLine:
    line_id: int
    name: str
    paid: str  # yuan
    days: int
    engaged: bool


def evaluate(project_id: int, month, lines: list[PaidLine]) -> list[Finding]:
    wrong = [line for line in lines if line.days == 0 or not line.engaged]
    if not wrong:
        return []
    return [
        Finding(
            CODE,
            project_id,
            "project",
            project_id,
            "、".join(line.name for line in wrong[:5]) + ("等" if len(wrong) > 5 else ""),
            month,
            month_end(month),
            evidence={
                "month": month.isoformat(),
                "lines": [
                    {
                        "line": line.line_id,
                        "name": line.name,
                        "paid": line.paid,
                        "days": line.days,
                        "reason": NOT_ENGAGED if not line.engaged else NO_DAYS,
                    }
                    for line in wrong
                ],
            },
            period_key=month.isoformat(),
        )
    ]


def collect(ctx) -> list[Finding]:
    judged = months_judged(ctx, CODE, due=False)
    paid = [
        (wm, line)
        for wm in worker_months_judged(ctx, judged).values()
        if wm.month in judged[wm.project_id]
        for line in wm.lines
        if max(paid_amount(line), line.paid)
    ]
    # The engagements on these projects since the first month judged, by (project, person, employer).
    spans: dict[tuple[int, int, int], list[tuple]] = defaultdict(list)
    if paid:
        first = min(wm.month for wm, _line in paid)
        for project_id, person_id, employer_id, entered, exited in Engagement.objects.filter(
            Q(exited_on__isnull=True) | Q(exited_on__gte=first), project_id__in=judged
        ).values_list("project_id", "person_id", "employer_id", "entered_on", "exited_on"):
            spans[(project_id, person_id, employer_id)].append((entered, exited))

    def engaged(line) -> bool:
        """Engaged on the project by the sheet's employer at some time in the sheet's month."""
        month = line.sheet.month
        return any(
            entered <= month_end(month) and (exited is None or exited >= month)
            for entered, exited in spans[(line.sheet.project_id, line.person_id, line.sheet.employer_id)]
        )

    wrong = [(wm, line, engaged(line)) for wm, line in paid]
    wrong = [(wm, line, is_engaged) for wm, line, is_engaged in wrong if wm.days == 0 or not is_engaged]
    names = dict(Person.objects.filter(pk__in={line.person_id for _wm, line, _e in wrong}).values_list("pk", "name"))
    by_month: dict[tuple[int, dt.date], list[PaidLine]] = defaultdict(list)
    for wm, line, is_engaged in sorted(wrong, key=lambda w: (w[0].project_id, w[0].month, w[1].pk)):
        amount = max(paid_amount(line), line.paid)
        by_month[(wm.project_id, wm.month)].append(
            PaidLine(line.pk, names.get(line.person_id, ""), str(amount), wm.days, is_engaged)
        )
    return [
        found for (project_id, month), lines in sorted(by_month.items()) for found in evaluate(project_id, month, lines)
    ]


def describe(item) -> str:
    lines = item.evidence.get("lines", [])
    detail = "；".join(f"{x['name']}发放{x['paid']}元，{x['reason']}" for x in lines[:5])
    more = f"等{len(lines)}人" if len(lines) > 5 else ""
    return f"{words.month(item.period_start)}工资支付表向无有效考勤或未登记的人员发放工资：{detail}{more}。"


SPEC = wage_rule(
    code=CODE,
    name="无考勤或未登记人员发放工资",
    label=_("Wages paid to someone not present or not registered (无考勤发放工资)"),
    title="未进行实名登记的工人，不得允许其进入施工现场，不能通过工资专用帐户发放工资",
    source="吉建管〔2021〕6号 三(三)",
    resolves=True,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    note="有效考勤天数每晚按考勤重新计算，不取工资支付表编制时的数字：事后认定为补录、伪造的打卡不计，发放的工资即被发现。",
)
