"""W3 — present but unpaid by the pay day: the arrears warning (欠薪预警). For a month whose pay day has passed,
every worker with valid attended days who was paid, on or before the pay day, less than his lines say he
was due (or who has no line at all). "Paid" is what the bank's result says for the special account (the
sheet's own figure is a claim until then). One finding per project and month, with the amount owed and the
number of workers; it clears when the bank shows the month paid in time (a bank file recorded late that
proves payment on time), and stands, with what is still owed, when the money came late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inspections.rules import words
from inspections.rules.base import Finding
from projects.models import Person
from smz_platform.common.months import month_end
from wages.rules import months_judged, wage_rule, worker_months_judged
from wages.selectors import by_project_month, pay_day

CODE = "W3"


@dataclass(frozen=True)
class Owed:
    person_id: int
    days: int
    listed: bool  # has a line on a wage sheet of the month
    due: Decimal
    paid_by_pay_day: Decimal
    paid_to_date: Decimal


def evaluate(project_id: int, month: dt.date, due_on: dt.date, workers: list[Owed], names: dict[int, str]):
    owed = [w for w in workers if w.days and (not w.listed or w.paid_by_pay_day < w.due)]
    if not owed:
        return []
    amount = sum((w.due - w.paid_by_pay_day for w in owed if w.listed), Decimal(0))
    still = sum((max(w.due - w.paid_to_date, Decimal(0)) for w in owed if w.listed), Decimal(0))
    unlisted = sum(1 for w in owed if not w.listed)
    # A worker on no sheet has no amount to owe him: the label says so rather than "0 yuan".
    label = f"{len(owed)}名工人，欠发{amount}元" + (f"（{unlisted}人不在工资支付表上）" if unlisted else "")
    return [
        Finding(
            CODE,
            project_id,
            "project",
            project_id,
            label,
            month,
            month_end(month),
            evidence={
                "month": month.isoformat(),
                "pay_day": due_on.isoformat(),
                "workers": len(owed),
                "amount": str(amount),
                "still_owed": str(still),
                "unlisted": unlisted,
                "person_ids": [w.person_id for w in owed],
                "people": [
                    {
                        "name": names.get(w.person_id, ""),
                        "days": w.days,
                        "due": str(w.due) if w.listed else None,
                        "paid": str(w.paid_by_pay_day),
                    }
                    for w in owed[:50]
                ],
            },
            period_key=month.isoformat(),
        )
    ]


def collect(ctx) -> list[Finding]:
    judged = months_judged(ctx, CODE, due=True)
    found = worker_months_judged(ctx, judged)
    names = dict(
        Person.objects.filter(pk__in={wm.person_id for wm in found.values() if wm.days}).values_list("pk", "name")
    )
    findings = []
    for (project_id, month), months in sorted(by_project_month(found.values()).items()):
        if month not in judged[project_id]:
            continue
        due_on = pay_day(month, ctx.policy(project_id))
        workers = [
            Owed(wm.person_id, wm.days, bool(wm.lines), wm.due, wm.paid_by(due_on), wm.paid_by(None))
            for wm in sorted(months, key=lambda wm: wm.person_id)
        ]
        findings += evaluate(project_id, month, due_on, workers, names)
    return findings


def describe(item) -> str:
    e = item.evidence
    unlisted = f"（其中{e['unlisted']}人未列入工资支付表）" if e.get("unlisted") else ""
    return (
        f"{words.month(item.period_start)}有有效考勤的工人中{e.get('workers', 0)}人{unlisted}至发薪日"
        f"{words.day(e.get('pay_day'))}未足额发放工资，欠发{e.get('amount', '0')}元，"
        f"目前仍欠{e.get('still_owed', '0')}元。"
    )


SPEC = wage_rule(
    code=CODE,
    name="欠薪预警",
    label=_("Wages unpaid by the pay day (欠薪预警)"),
    title="按照工程进度或相关合同约定将建筑工人工资按时足额支付至建筑企业在银行开设的工资专用账户",
    source="鄂建文〔2019〕27号 一(三)；中山 2019 上线通知 序言（预防欠款和劳资纠纷）",
    resolves=True,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("wage_pay_day",),
    note="“已发放”以银行代发结果为准（经专用账户的工资支付表金额在银行回单导入前不算已发）；发薪日当天到账不预警，次日到账仍预警并注明仍欠金额。",
)
