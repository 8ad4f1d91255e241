"""W7 — an engaged worker without a labour contract (劳动合同: 鄂建文〔2019〕27号 一(八), signed before work
begins; 二(三)) after the policy's days: a worker engaged on the day judged, since more than
`w7_contract_days` days, with no contract recorded. A contract recorded clears it; a date typed on the
engagement without the contract does not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from inspections.rules import ladders, words
from inspections.rules.base import Finding
from projects.choices import Category
from projects.models import Engagement
from wages.models import LabourContract
from wages.rules import wage_rule

CODE = "W7"


@dataclass(frozen=True)
class Uncontracted:
    engagement_id: int
    project_id: int
    name: str
    entered_on: dt.date
    limit: int


def evaluate(engagements: list[Uncontracted], *, day: dt.date) -> list[Finding]:
    return [
        Finding(
            CODE,
            e.project_id,
            "worker",
            e.engagement_id,
            e.name,
            e.entered_on,
            day,
            evidence={"entered_on": e.entered_on.isoformat(), "days": (day - e.entered_on).days, "limit": e.limit},
        )
        for e in engagements
        if (day - e.entered_on).days > e.limit
    ]


def collect(ctx) -> list[Finding]:
    limits = {pk: ctx.policy(pk).w7_contract_days for pk in ctx.active_ids()}
    if not limits:
        return []
    rows = (
        Engagement.objects.filter(ctx.engaged_on_day(), project_id__in=limits, category=Category.WORKER)
        .filter(entered_on__lt=ctx.day - dt.timedelta(days=min(limits.values())))
        .exclude(Exists(LabourContract.objects.filter(engagement_id=OuterRef("pk"))))
        .values_list("pk", "project_id", "person__name", "entered_on")
    )
    return evaluate(
        [Uncontracted(pk, project_id, name, entered, limits[project_id]) for pk, project_id, name, entered in rows],
        day=ctx.day,
    )


def describe(item) -> str:
    e = item.evidence
    return (
        f"{item.subject or '工人'}于{words.day(e.get('entered_on'))}进场，已{e.get('days', '—')}天"
        f"（超过{e.get('limit', '—')}天）未登记劳动合同。"
    )


SPEC = wage_rule(
    code=CODE,
    name="未签订劳动合同",
    label=_("Worker without a labour contract (未签订劳动合同)"),
    title="建筑工人……进场作业前须依法签订劳动合同并接受基本安全培训",
    source="鄂建文〔2019〕27号 一(八)、二(三)",
    resolves=True,
    ladder=ladders.CHECKLIST,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("w7_contract_days",),
    note="以平台登记的劳动合同为准（进场登记上填写的签订日期不算）；超过口径天数仍无合同即预警，登记合同后解除。",
)
