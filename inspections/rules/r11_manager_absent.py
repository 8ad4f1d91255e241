"""R11 — manager not on duty (甬建函〔2023〕82号 三(十一); 吉建管〔2021〕6号 三(二) and 附件1 item 2): over a
calendar month, attended days ÷ construction days below 80% for the project manager and chief
supervisor, 70% for the other managers. Judged by the run for the month's last day, for the managers
the policy judges by the project's cohort (中山 2019 上线通知 四(一)–(三); inspections.cohorts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from inspections.presence import manager_result
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec

CODE = "R11"


@dataclass(frozen=True)
class ManagerDays:
    """One manager engagement's month: the construction days it was held to and the days attended."""

    engagement: int
    name: str
    id_number: str  # masked
    position: str
    attended_days: int
    construction_days: int


def evaluate(
    project_id: int,
    managers: list[ManagerDays],
    *,
    month: dt.date,
    last_day: dt.date,
    key_positions: list[str],
    key_ratio: Decimal,
    other_ratio: Decimal,
    positions: dict[str, str] | None = None,
) -> list[Finding]:
    """`positions`: the position codes' names (项目经理), for the subject a regulator reads."""
    positions = positions or {}
    findings = []
    for m in managers:
        judged = manager_result(
            m.engagement,
            m.name,
            m.id_number,
            m.position,
            m.attended_days,
            m.construction_days,
            key_positions=key_positions,
            key_ratio=key_ratio,
            other_ratio=other_ratio,
        )
        if judged.passed:
            continue
        findings.append(
            Finding(
                CODE,
                project_id,
                "engagement",
                m.engagement,
                f"{m.name}（{positions.get(m.position, m.position)}）",
                month,
                last_day,
                evidence={
                    "name": m.name,
                    "attended_days": judged.attended_days,
                    "construction_days": judged.construction_days,
                    "ratio": judged.ratio,
                    "threshold": judged.threshold,
                    "id_number": m.id_number,
                    "position": m.position,
                },
                period_key=month.strftime("%Y-%m"),
                subject_code=m.position,
            )
        )
    return findings


def collect(ctx) -> list[Finding]:
    findings = []
    for pk, presence in ctx.month_presence().items():
        policy = ctx.policy(pk)
        managers = [
            ManagerDays(m.engagement, m.name, m.id_number, m.position, m.attended_days, m.construction_days)
            for m in presence.managers
        ]
        findings += evaluate(
            pk,
            managers,
            month=presence.month,
            last_day=ctx.day,
            key_positions=policy.r11_key_positions,
            key_ratio=policy.r11_key_ratio,
            other_ratio=policy.r11_other_ratio,
            positions=ctx.position_names(),
        )
    return findings


def describe(item) -> str:
    e = item.evidence
    who = f"{words.position_name(e.get('position', item.subject_code))} {e.get('name') or item.subject}"
    return (
        f"{who} {item.period_start.month if item.period_start else ''}月应到岗{e.get('construction_days', 0)}天，"
        f"实到{e.get('attended_days', 0)}天，到岗率{words.percent(e.get('ratio'))}，"
        f"低于{words.percent(e.get('threshold'))}。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="管理人员未到岗履职",
    label=_("Managers not on duty (管理人员未到岗履职)"),
    title="未按照相关政策及合同约定委派项目管理人员到岗履职",
    source="甬建函〔2023〕82号 三(十一)；吉建管〔2021〕6号 三(二)、附件1第2项；中山 2019 上线通知 四(一)–(三)",
    category=11,
    annex1_row=2,
    occurrence=Occurrence.PERIOD,
    cadence=Cadence.MONTH_END,
    resolves=False,
    ladder=ladders.MANAGERS,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=(
        "r11_key_positions",
        "r11_key_ratio",
        "r11_other_ratio",
        "manager_grace_days",
        "managers_filed_from",
        "managers_judged_roles",
    ),
    note="月考勤天数 ÷ 当月施工日；项目经理、项目总监不足80%，其他管理人员不足70%。"
    "中山口径只考核施工总承包企业及监理企业的管理人员，"
    "2020年2月1日前完成施工报建的项目不考核管理人员（仍在原诚信管理系统考勤，四(二)–(三)）。",
)
