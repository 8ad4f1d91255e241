"""R08 — phone attendance without approval (甬建函〔2023〕82号 三(八); 中山 2019 上线通知 四(一)): mobile
punches on a project without an approved mobile-attendance permit covering the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from inspections.rules import ladders
from inspections.rules.base import Cadence, Finding, RuleSpec
from inspections.selectors import approved_permits
from projects.choices import StatusRequestKind

CODE = "R08"


@dataclass(frozen=True)
class MobilePunches:
    project_id: int
    name: str
    count: int
    permits: tuple[tuple[dt.date, dt.date | None], ...] = ()


def evaluate(projects: list[MobilePunches], *, day: dt.date) -> list[Finding]:
    def permitted(p: MobilePunches) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in p.permits)

    return [
        Finding(
            CODE,
            p.project_id,
            "project",
            p.project_id,
            p.name,
            day,
            day,
            evidence={"mobile_punches": p.count, "approved_permits": len(p.permits)},
        )  # fmt: skip
        for p in projects
        if p.count > 0 and not permitted(p)
    ]


def collect(ctx) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    counts = dict(
        Punch.objects.filter(project_id__in=active, flag_mobile=True, punched_at__gte=ctx.day_start,
                             punched_at__lt=ctx.day_end)
        .values("project_id").annotate(n=Count("id")).values_list("project_id", "n")
    )  # fmt: skip
    permits = approved_permits(StatusRequestKind.MOBILE_ATTENDANCE)
    return evaluate(
        [MobilePunches(pk, active[pk].name, n, tuple(permits.get((pk, None), ()))) for pk, n in counts.items()],
        day=ctx.day,
    )


SPEC = RuleSpec(
    code=CODE,
    name="擅自采用手机考勤",
    label=_("Mobile attendance without approval (擅自采用手机考勤)"),
    title="项目已配置考勤设备，但未经申请擅自采用手机考勤",
    source="甬建函〔2023〕82号 三(八)；中山 2019 上线通知 四(一)",
    category=8,
    annex1_row=4,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    note="手机考勤须经审批（手机考勤许可）。",
)
