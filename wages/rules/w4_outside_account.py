"""W4 — wages paid outside the wage special account (工资专用账户, 鄂建文〔2019〕27号 一(三); 吉建管〔2021〕6号 三(三)):
the lines of a month that say they were paid otherwise. An act, not a state: the alert stands until staff
act on it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inspections.rules import words
from inspections.rules.base import Finding
from projects.models import Person
from smz_platform.common.months import month_end
from wages.models import WageLine
from wages.rules import months_judged, wage_rule

CODE = "W4"


@dataclass(frozen=True)
class OutsideLine:
    project_id: int
    month: object
    name: str
    paid: str


def evaluate(lines: list[OutsideLine]) -> list[Finding]:
    grouped: dict[tuple, list[OutsideLine]] = {}
    for line in lines:
        grouped.setdefault((line.project_id, line.month), []).append(line)
    return [
        Finding(
            CODE,
            project_id,
            "project",
            project_id,
            f"{len(group)}名工人",
            month,
            month_end(month),
            evidence={
                "month": month.isoformat(),
                "workers": len(group),
                "amount": str(sum((Decimal(x.paid) for x in group), Decimal(0))),
                "people": [{"name": x.name, "paid": x.paid} for x in group[:50]],
            },
            period_key=month.isoformat(),
        )
        for (project_id, month), group in sorted(grouped.items())
    ]


def collect(ctx) -> list[Finding]:
    judged = months_judged(ctx, CODE, due=False)
    rows = (
        WageLine.objects.filter(
            sheet__project_id__in=judged,
            sheet__month__in={m for months in judged.values() for m in months},
            through_special_account=False,
            paid__gt=0,
        )
        .order_by("sheet__project_id", "sheet__month", "id")
        .values_list("sheet__project_id", "sheet__month", "person_id", "paid")
    )
    names = dict(Person.objects.filter(pk__in={r[2] for r in rows}).values_list("pk", "name"))
    return evaluate(
        [
            OutsideLine(project_id, month, names.get(person_id, ""), str(paid))
            for project_id, month, person_id, paid in rows
            if month in judged[project_id]
        ]
    )


def describe(item) -> str:
    e = item.evidence
    return (
        f"{words.month(item.period_start)}有{e.get('workers', 0)}名工人的工资未通过工资专用账户发放，"
        f"共{e.get('amount', '0')}元。"
    )


SPEC = wage_rule(
    code=CODE,
    name="未通过专用账户发放工资",
    label=_("Wages paid outside the special account (未通过专用账户发放工资)"),
    title="将建筑工人工资按时足额支付至建筑企业在银行开设的工资专用账户",
    source="鄂建文〔2019〕27号 一(三)；吉建管〔2021〕6号 三(三)",
    resolves=False,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
)
