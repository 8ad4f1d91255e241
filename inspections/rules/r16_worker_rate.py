"""R16 — worker attendance rate below target (吉建管〔2021〕6号 二, the campaign's goal "人员考勤率达到80%以上"):
attended workers ÷ engaged workers per construction day, the month's mean, below 80%. Judged by the
run for the month's last day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inspections.presence import worker_result
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec

CODE = "R16"


def evaluate(
    project_id: int,
    name: str,
    daily: list[tuple[int, int]],
    engaged: int,
    *,
    threshold: Decimal,
    month: dt.date,
    last_day: dt.date,
) -> list[Finding]:
    """`daily`: per construction day, the attended and the engaged workers; `engaged`: workers engaged
    on any of those days."""
    workers = worker_result(daily, engaged, threshold=threshold)
    if workers.passed:
        return []
    return [
        Finding(
            CODE,
            project_id,
            "project",
            project_id,
            name,
            month,
            last_day,
            evidence={
                "engaged": workers.engaged,
                "attended_person_days": workers.attended_person_days,
                "rate": workers.rate,
                "threshold": workers.threshold,
            },
            period_key=month.strftime("%Y-%m"),
        )
    ]


def collect(ctx) -> list[Finding]:
    findings = []
    for pk, presence in ctx.month_presence().items():
        findings += evaluate(
            pk,
            ctx.projects[pk].name,
            list(presence.worker_days),
            presence.workers.engaged,
            threshold=ctx.policy(pk).r16_worker_rate,
            month=presence.month,
            last_day=ctx.day,
        )
    return findings


def describe(item) -> str:
    e = item.evidence
    when = words.month(item.period_start) if item.period_start else ""
    return (
        f"{when}建筑工人考勤率{words.percent(e.get('rate'))}，"
        f"低于{words.percent(e.get('threshold'))}的目标（在册{e.get('engaged', 0)}人）。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="工人考勤率不足",
    label=_("Workers' attendance rate below target (工人考勤率不足)"),
    title="建筑工人考勤率低于80%",
    source="吉建管〔2021〕6号 二（主要目标：人员考勤率达到80%以上）",
    category=0,
    annex1_row=None,
    occurrence=Occurrence.PERIOD,
    cadence=Cadence.MONTH_END,
    resolves=False,
    ladder=ladders.NOTHING,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r16_worker_rate",),
    indicator=True,
    note=(
        "每个施工日考勤工人数 ÷ 在册工人数，当月平均；专项行动的目标，不是违规：按项目、区县显示，"
        "不计入附件1、升级和信用。"
    ),
)
