"""R12 — no attendance for consecutive days (甬建函〔2023〕82号 三(十二)): a streak of 4 or more construction days
with no worker presence, and separately with no manager presence. The alert covers the whole streak:
`period_start` its first empty day, `period_end` its last; a streak that goes on extends it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.calendar import construction_days, manager_days
from inspections.cohorts import managers_judged
from inspections.models import LIVE_STATES, Alert
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec
from inspections.selectors import last_attended
from projects.choices import Category

CODE = "R12"
STREAK_LOOKBACK_DAYS = 62

# What a regulator reads in the alert's subject (甬建函〔2023〕82号 三(十二): 务工人员考勤信息 / 项目管理人员考勤信息).
WHO = {"workers": "务工人员无考勤", "managers": "管理人员无考勤"}
CATEGORIES = ((Category.WORKER, "workers"), (Category.MANAGER, "managers"))


@dataclass(frozen=True)
class Streak:
    project_id: int
    name: str
    who: str  # "workers" | "managers"
    empty_days: tuple[dt.date, ...]  # the construction days without presence, ending on the day judged


def evaluate(streaks: list[Streak], *, min_days: int) -> list[Finding]:
    findings = []
    for s in streaks:
        if len(s.empty_days) >= min_days:
            start, end = s.empty_days[0], s.empty_days[-1]
            findings.append(
                Finding(
                    CODE,
                    s.project_id,
                    "project",
                    s.project_id,
                    f"{s.name}（{WHO[s.who]}）",
                    start,
                    end,
                    evidence={"who": s.who, "empty_construction_days": [d.isoformat() for d in s.empty_days]},
                    period_key=f"{s.who}:{start.isoformat()}",
                    subject_code=s.who,
                )
            )
    return findings


def collect(ctx) -> list[Finding]:
    """Construction days since the last valid presence of a worker (and, separately, of a manager, from
    the start plus the managers' grace), whether or not anyone is registered: a site nobody attends is
    silent however empty its roll."""
    active = {p.pk: p for p in ctx.active()}
    since = ctx.day - dt.timedelta(days=STREAK_LOOKBACK_DAYS)
    last_present = last_attended(project_ids=active, since=since, until=ctx.day, book=ctx.book)
    # A streak longer than the lookback goes on from the start its alert already has (so the alert's
    # key, which names the start, stays the same night after night, and a dismissal holds).
    ongoing: dict[tuple[int, str], dt.date] = {}
    for project_id, who, start in Alert.objects.filter(
        rule=CODE, project_id__in=active, state__in=LIVE_STATES, period_end__gte=since
    ).values_list("project_id", "subject_code", "period_start"):
        ongoing[(project_id, who)] = min(start, ongoing.get((project_id, who), start))
    findings = []
    for pk, project in active.items():
        policy = ctx.policy(pk)
        for category, who in CATEGORIES:
            if category == Category.MANAGER and not managers_judged(project, policy):
                continue  # 中山 四(二)–(三): its managers attend on the old system, not here
            after = last_present.get((pk, category))
            if after is None:
                after = since - dt.timedelta(days=1)
                start = ongoing.get((pk, who))
                if start is not None and start <= after:
                    after = start - dt.timedelta(days=1)
            span = [after + dt.timedelta(days=n) for n in range(1, (ctx.day - after).days + 1)]
            empty = construction_days(
                ctx.timelines[pk], span, count_sundays=policy.count_sundays, count_holidays=policy.count_holidays
            )
            if category == Category.MANAGER:
                empty = manager_days(ctx.timelines[pk], empty, grace_days=policy.manager_grace_days)
            if empty:
                findings += evaluate([Streak(pk, project.name, who, tuple(empty))], min_days=policy.r12_silent_days)
    return findings


def describe(item) -> str:
    e = item.evidence
    days = e.get("empty_construction_days", [])
    return (
        f"{words.day(item.period_start)}至{words.day(item.period_end)}连续{len(days)}个施工日没有"
        f"{words.WHO.get(e.get('who'), '人员')}的有效考勤。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="连续4天无考勤",
    label=_("4 or more days without attendance (连续4天无考勤)"),
    title="存在连续4天及以上未有务工人员考勤信息或项目管理人员考勤信息现象",
    source="甬建函〔2023〕82号 三(十二)",
    category=12,
    annex1_row=2,
    occurrence=Occurrence.PERIOD,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r12_silent_days",),
    note="按有效考勤判定，不论是否有人员登记；管理人员自开工日加宽限期起算。预警覆盖整段连续无考勤的施工日，持续时同一预警延长。",
)
