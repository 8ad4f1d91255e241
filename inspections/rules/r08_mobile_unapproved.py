"""R08 — phone attendance without approval (甬建函〔2023〕82号 三(八); 中山 2019 上线通知 四(一)): mobile
punches on a project without an approved mobile-attendance permit covering the day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from devices.choices import DeviceKind
from inspections.rules import ladders
from inspections.rules.base import Cadence, FalsePunch, Finding, RuleSpec
from inspections.selectors import approved_permits
from projects.choices import ProjectKind, StatusRequestKind

CODE = "R08"


@dataclass(frozen=True)
class MobilePunches:
    project_id: int
    name: str
    count: int
    permits: tuple[tuple[dt.date, dt.date | None], ...] = ()
    fixed_devices: int = 1  # gates and terminals in service: without any, a phone is the device
    punches: tuple[FalsePunch, ...] = ()


def evaluate(projects: list[MobilePunches], *, day: dt.date) -> list[Finding]:
    """Fires for phone punches on a project that has fixed devices ("项目已配置考勤设备") and no approved
    mobile-attendance permit covering the day."""

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
            evidence={"mobile_punches": p.count, "approved_permits": len(p.permits), "fixed_devices": p.fixed_devices},
            false_punches=p.punches,
        )
        for p in projects
        if p.count > 0 and p.fixed_devices > 0 and not permitted(p)
    ]


def _tablet_allowed(ctx, project, device_kind: str, score) -> bool:
    """中山 2019 上线通知 四(一): municipal works may punch on a mobile tablet with face recognition and location."""
    return (
        ctx.policy(project.pk).r08_municipal_tablets
        and project.kind == ProjectKind.MUNICIPAL
        and device_kind == DeviceKind.MOBILE
        and score is not None
    )


def collect(ctx) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    punches = defaultdict(list)
    for punch_id, project_id, person_id, at, device_kind, score in Punch.objects.filter(
        project_id__in=active, flag_mobile=True, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end
    ).values_list("id", "project_id", "person_id", "punched_at", "device__kind", "match_score"):
        if not _tablet_allowed(ctx, active[project_id], device_kind, score):
            punches[project_id].append(FalsePunch(punch_id, at, person_id, project_id, "未经审批的手机考勤"))
    fixed = {
        pk: sum(1 for d in devices if d.kind != DeviceKind.MOBILE) for pk, devices in ctx.devices_in_service().items()
    }
    permits = approved_permits(StatusRequestKind.MOBILE_ATTENDANCE)
    return evaluate(
        [
            MobilePunches(
                pk, active[pk].name, len(items), tuple(permits.get((pk, None), ())), fixed.get(pk, 0), tuple(items)
            )
            for pk, items in punches.items()
        ],
        day=ctx.day,
    )


def describe(item) -> str:
    e = item.evidence
    return (
        f"项目已配置{e.get('fixed_devices', 0)}台固定考勤设备，当日仍有{e.get('mobile_punches', 0)}条手机考勤，"
        "未经审批（不计为出勤）。"
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
    describe=describe,
    invalidates="invalid_mobile",
    note="已配置闸机、考勤机的项目未经审批采用手机考勤（未经审批的手机考勤不计为出勤）；中山口径下市政工程可使用具备人脸识别和定位的移动平板。",
)
