"""R09 — photo does not match the registered person (甬建函〔2023〕82号 三(九)): punches whose face match score
is below the policy's minimum (default 0.80)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from inspections.rules import ladders
from inspections.rules.base import Cadence, FalsePunch, Finding, RuleSpec

CODE = "R09"


@dataclass(frozen=True)
class Scores:
    project_id: int
    name: str
    scores: tuple[tuple[int, float], ...]  # (punch id, match score) of the day's scored punches
    # punch id → (punched at, person id): the low ones become false punches
    details: dict[int, tuple[dt.datetime, int | None]] = field(default_factory=dict, compare=False, hash=False)


def evaluate(projects: list[Scores], *, day: dt.date, min_score: float) -> list[Finding]:
    findings = []
    for p in projects:
        low = [(punch_id, score) for punch_id, score in p.scores if score < min_score]
        if low:
            evidence = {
                "punches": [pid for pid, _s in low[:50]],
                "count": len(low),
                "lowest": min(s for _pid, s in low),
                "min_score": min_score,
            }
            false = tuple(
                FalsePunch(pid, p.details[pid][0], p.details[pid][1], p.project_id, "人脸比对分数低于下限")
                for pid, _s in low
                if pid in p.details
            )
            findings.append(
                Finding(
                    CODE,
                    p.project_id,
                    "project",
                    p.project_id,
                    p.name,
                    day,
                    day,
                    evidence=evidence,
                    false_punches=false,
                )
            )
    return findings


def collect(ctx) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    scores: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
    details: defaultdict[int, dict[int, tuple[dt.datetime, int | None]]] = defaultdict(dict)
    # Only scores under the highest minimum of any policy leave the database; each project's own
    # minimum is then applied by the rule.
    ceiling = max((float(p.r09_min_match_score) for p in ctx.policies.values()), default=0)
    for project_id, punch_id, score, at, person_id in Punch.objects.filter(
        project_id__in=active, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end, match_score__lt=ceiling
    ).values_list("project_id", "id", "match_score", "punched_at", "person_id"):
        scores[project_id].append((punch_id, score))
        details[project_id][punch_id] = (at, person_id)
    findings = []
    for pk, items in scores.items():
        findings += evaluate(
            [Scores(pk, active[pk].name, tuple(items), details[pk])],
            day=ctx.day,
            min_score=float(ctx.policy(pk).r09_min_match_score),
        )
    return findings


def describe(item) -> str:
    e = item.evidence
    return (
        f"当日{e.get('count', 0)}条考勤的人脸比对分数低于{e.get('min_score', 0.8)}，最低{e.get('lowest', '—')}，"
        "存在他人顶替考勤的可能（不计为出勤）。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="他人顶替考勤",
    label=_("Someone else punching in (他人顶替考勤)"),
    title="项目采集人员照片与实际登记人员信息不一致，存在他人顶替考勤现象",
    source="甬建函〔2023〕82号 三(九)",
    category=9,
    annex1_row=3,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r09_min_match_score",),
    invalidates="invalid_low_score",
    note="比对分数低于下限的考勤不计为出勤。",
)
