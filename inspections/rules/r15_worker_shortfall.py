"""R15 — worker attendance short of the workforce seen on site (吉建管〔2021〕6号 附件1 item 3): a site
visit's headcount against the same day's attended workers. Short by the policy's smallest shortfall
up to 15: rectify ("少于实际用工人数15人"); by more than 15 ("15人（不含15人）以上"): penalty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.models import Inspection
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec
from inspections.selectors import attended_counts

CODE = "R15"
RECTIFY = "rectify"
PENALTY = "penalty"


@dataclass(frozen=True)
class SiteCount:
    inspection_id: int
    project_id: int
    project_name: str
    day: dt.date
    headcount: int
    attended: int


def severity(shortfall: int, *, min_shortfall: int, penalty_shortfall: int) -> str | None:
    """None when the shortfall does not count; else what the checklist prescribes."""
    if shortfall < max(min_shortfall, 1):
        return None
    return PENALTY if shortfall > penalty_shortfall else RECTIFY


def evaluate(counts: list[SiteCount], *, min_shortfall: int, penalty_shortfall: int) -> list[Finding]:
    findings = []
    for c in counts:
        shortfall = c.headcount - c.attended
        level = severity(shortfall, min_shortfall=min_shortfall, penalty_shortfall=penalty_shortfall)
        if level is None:
            continue
        findings.append(
            Finding(
                CODE,
                c.project_id,
                "inspection",
                c.inspection_id,
                c.project_name,
                c.day,
                c.day,
                evidence={
                    "inspection": c.inspection_id,
                    "headcount": c.headcount,
                    "attended": c.attended,
                    "shortfall": shortfall,
                    "severity": level,
                    "penalty_above": penalty_shortfall,
                },
            )
        )
    return findings


def collect(ctx) -> list[Finding]:
    """The day's inspections with a headcount on the context's projects (every project at night; the
    inspection's own when it is recorded after its day)."""
    visits = list(Inspection.objects.filter(day=ctx.day, headcount__isnull=False, project_id__in=ctx.projects))
    attended = attended_counts(project_ids={v.project_id for v in visits}, day=ctx.day, book=ctx.book)
    findings = []
    for visit in visits:
        policy = ctx.policy(visit.project_id)
        findings += evaluate(
            [
                SiteCount(
                    visit.pk,
                    visit.project_id,
                    ctx.projects[visit.project_id].name,
                    ctx.day,
                    visit.headcount,
                    attended.get(visit.project_id, 0),
                )
            ],
            min_shortfall=policy.r15_min_shortfall,
            penalty_shortfall=policy.r15_penalty_shortfall,
        )
    return findings


def describe(item) -> str:
    e = item.evidence
    measure = "依规对项目经理行政处罚并记不良行为记录" if e.get("severity") == PENALTY else "责令限期整改"
    return (
        f"{words.day(item.period_start)}现场检查清点作业人员{e.get('headcount', 0)}人，当日考勤工人"
        f"{e.get('attended', 0)}人，少{e.get('shortfall', 0)}人，{measure}。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="考勤人数少于实际用工人数",
    label=_("Fewer workers attending than seen on site (考勤人数少于实际用工人数)"),
    title="项目建筑工人考勤人数少于实际用工人数",
    source="吉建管〔2021〕6号 附件1第3项",
    category=0,
    annex1_row=2,
    occurrence=Occurrence.PERIOD,
    cadence=Cadence.AT_INSPECTION,
    resolves=False,
    ladder=ladders.NOTHING,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r15_min_shortfall", "r15_penalty_shortfall"),
    note="检查清点的在场人数与当日考勤工人数之差：1–15人责令限期整改（逾期不再升级）；15人（不含）以上即对项目经理行政处罚并记不良行为记录。计入附件1“应考勤未考勤项目数”。",
)
