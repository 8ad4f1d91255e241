"""C1 — a complaint not closed by its deadline (举报投诉逾期未办结): the district has the policy's `complaint_days`
from the day a complaint was filed to close it (seed 004 §二(三) counts complaints in the integrity information;
a complaint left unanswered is a worker left unheard). One alert per complaint, from the day after its deadline;
closing the complaint clears it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.rules import words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec
from rights.models import Complaint, ComplaintKind, ComplaintState

CODE = "C1"


@dataclass(frozen=True)
class OpenComplaint:
    complaint_id: int
    project_id: int
    kind: str
    filed_on: dt.date
    deadline: dt.date


def evaluate(complaints: list[OpenComplaint], *, day: dt.date) -> list[Finding]:
    """Every complaint still open after its deadline, on the night of `day`."""
    return [
        Finding(
            CODE,
            c.project_id,
            "complaint",
            c.complaint_id,
            f"举报投诉第{c.complaint_id}号（{ComplaintKind(c.kind).label}）",
            c.filed_on,
            day,
            evidence={"filed_on": c.filed_on.isoformat(), "deadline": c.deadline.isoformat()},
        )
        for c in complaints
        if c.deadline < day
    ]


def collect(ctx) -> list[Finding]:
    projects = ctx.unit_projects if ctx.unit_projects is not None else set(ctx.projects)
    rows = (
        Complaint.objects.filter(project_id__in=list(projects), deadline__lt=ctx.day)
        .exclude(state=ComplaintState.CLOSED)
        .values_list("pk", "project_id", "kind", "filed_at", "deadline")
    )
    complaints = [
        OpenComplaint(pk, project_id, kind, filed_at.astimezone(words.SHANGHAI).date(), deadline)
        for pk, project_id, kind, filed_at, deadline in rows
    ]
    return evaluate(complaints, day=ctx.day)


def describe(item) -> str:
    e = item.evidence
    deadline = dt.date.fromisoformat(e["deadline"]) if e.get("deadline") else item.period_end
    late = (item.period_end - deadline).days
    return f"{words.day(item.period_start)}受理的举报投诉，应于{words.day(deadline)}前办结，逾期{late}天仍未办结。"


SPEC = RuleSpec(
    code=CODE,
    name="举报投诉逾期未办结",
    label=_("Complaint not closed by its deadline (举报投诉逾期未办结)"),
    title="诚信信息应包括诚信评价、举报投诉、良好及不良行为记录等信息",
    source="鄂建文〔2019〕27号 二(三)",
    category=0,
    annex1_row=None,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder={"": ()},  # the district's own lapse: no measure falls on the firms
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("complaint_days",),
    occurrence=Occurrence.PERIOD,
    # The district's own handling, not a firm's violation: no measure, Annex 1 row or credit line answers it.
    indicator=True,
    note="投诉受理之日起按口径天数计算办结期限；期限届满次日起每件未办结的投诉各一条预警，办结后解除。",
)
