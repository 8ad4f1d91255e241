"""W6 — an exit without settlement (中山 2019 上线通知 三(五): at exit the workload confirmed, the wages settled, the
exit confirmation signed by the worker himself): a worker's exit with no settlement recorded, without its
signed confirmation, or that the worker did not confirm. Recording the settlement clears it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.models import LIVE_STATES, Alert
from inspections.rules import words
from inspections.rules.base import Finding
from projects.choices import Category
from projects.models import Engagement
from wages.models import ExitSettlement
from wages.rules import wage_rule

CODE = "W6"
LOOKBACK_DAYS = 366  # exits of the last year, and any older one whose alert is still live


@dataclass(frozen=True)
class Exit:
    engagement_id: int
    project_id: int
    name: str
    exited_on: dt.date
    settled: bool
    signed: bool
    confirmed: bool


def evaluate(exits: list[Exit], *, day: dt.date) -> list[Finding]:
    """Each exit still unsettled on `day`: the alert runs from the exit to the day judged, so that the night
    after the settlement is recorded resolves it."""
    return [
        Finding(
            CODE,
            e.project_id,
            "worker",
            e.engagement_id,
            e.name,
            e.exited_on,
            day,
            evidence={
                "exited_on": e.exited_on.isoformat(),
                "missing": [
                    part
                    for part, present in (("settlement", e.settled), ("signed", e.signed), ("confirmed", e.confirmed))
                    if not present
                ],
            },
        )
        for e in exits
        if not (e.settled and e.signed and e.confirmed)
    ]


def collect(ctx) -> list[Finding]:
    active = ctx.active_ids()
    live = Alert.objects.filter(rule=CODE, project_id__in=active, state__in=LIVE_STATES).values("subject_id")
    engagements = Engagement.objects.filter(
        Q(exited_on__gte=ctx.day - dt.timedelta(days=LOOKBACK_DAYS)) | Q(pk__in=live),
        project_id__in=active,
        category=Category.WORKER,
        exited_on__lte=ctx.day,
    ).values_list("pk", "project_id", "person__name", "exited_on")
    settlements = {
        s.engagement_id: s
        for s in ExitSettlement.objects.filter(engagement_id__in=[row[0] for row in engagements]).only(
            "engagement_id", "file", "worker_confirmed"
        )
    }
    exits = []
    for pk, project_id, name, exited_on in engagements:
        settlement = settlements.get(pk)
        exits.append(
            Exit(
                pk,
                project_id,
                name,
                exited_on,
                settlement is not None,
                bool(settlement and settlement.file),
                bool(settlement and settlement.worker_confirmed),
            )
        )
    return evaluate(exits, day=ctx.day)


MISSING = {"settlement": "未登记工资结算", "signed": "未上传签字的退场确认书", "confirmed": "工人本人未确认"}


def describe(item) -> str:
    missing = "、".join(MISSING.get(m, m) for m in item.evidence.get("missing", [])) or "未结算"
    return f"{item.subject or '工人'}于{words.day(item.period_start)}退场，{missing}。"


SPEC = wage_rule(
    code=CODE,
    name="退场未结算工资",
    label=_("Exit without wage settlement (退场未结算)"),
    title="施工现场人员退场时，施工企业应与项目人员确认工作量、结清工资，签署退场确认书",
    source="中山 2019 上线通知 三(五)",
    resolves=True,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    note="口径“退场须先结算”开启时，未登记结算的退场登记被拒绝；关闭时允许退场并由本规则预警。",
)
