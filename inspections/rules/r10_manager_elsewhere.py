"""R10 — manager punching on a device outside the project (甬建函〔2023〕82号 三(十)): on a device bound to
another project or located `other`, or a mobile punch outside the project's fence. The alert
belongs to the manager's project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from devices.choices import DeviceKind
from devices.models import Device
from inspections.rules import ladders
from inspections.rules.base import Cadence, FalsePunch, Finding, RuleSpec
from inspections.rules.r07_forgery import distance_km
from projects.choices import Category
from projects.models import Engagement

CODE = "R10"


@dataclass(frozen=True)
class ManagerPunch:
    project_id: int  # the manager's project
    engagement_id: int
    who: str
    punch_id: int
    device_project_id: int | None  # None: a device the platform no longer knows
    device_location: str
    mobile_place: tuple[float, float] | None = None
    fence: tuple[float, float, int] | None = None  # the project's fence: lat, lon, radius in metres
    punched_at: dt.datetime | None = None
    person_id: int | None = None


def evaluate(punches: list[ManagerPunch], *, day: dt.date) -> list[Finding]:
    bad: dict[tuple[int, int], list[dict]] = {}
    false: dict[tuple[int, int], list[FalsePunch]] = {}
    who = {}
    for p in punches:
        reason = None
        if p.device_project_id != p.project_id:
            reason = "在其他项目的设备上考勤"
        elif p.device_location == "other":
            reason = "在项目部以外位置的设备上考勤"
        elif p.mobile_place is not None and p.fence is not None:
            metres = distance_km(p.mobile_place, p.fence[:2]) * 1000
            if metres > p.fence[2]:
                reason = f"手机考勤位置距项目{round(metres)}米（围栏{p.fence[2]}米）"
        if reason:
            bad.setdefault((p.project_id, p.engagement_id), []).append({"punch": p.punch_id, "reason": reason})
            if p.punched_at is not None:
                false.setdefault((p.project_id, p.engagement_id), []).append(
                    FalsePunch(p.punch_id, p.punched_at, p.person_id, p.project_id, reason)
                )
            who[(p.project_id, p.engagement_id)] = p.who
    return [
        Finding(
            CODE,
            project_id,
            "engagement",
            engagement_id,
            who[(project_id, engagement_id)],
            day,
            day,
            evidence={"punches": items},
            false_punches=tuple(false.get((project_id, engagement_id), ())),
        )
        for (project_id, engagement_id), items in bad.items()
    ]


def collect(ctx) -> list[Finding]:
    active = ctx.active_ids()
    positions = ctx.position_names()
    # By the ID number's digest: a punch on another project's device is linked to nobody there (the
    # manager is not engaged on it), and must still be found as his.
    managers = {
        digest: (project_id, engagement_id, f"{name}（{positions.get(position, position)}）", person_id)
        for digest, person_id, project_id, engagement_id, name, position in Engagement.objects.filter(
            ctx.engaged_on_day(), project_id__in=active, category=Category.MANAGER
        ).values_list("person__id_number_digest", "person_id", "project_id", "id", "person__name", "position")
    }
    devices = {
        pk: (project_id, location)
        for pk, project_id, location in Device.objects.values_list("id", "project_id", "location")
    }
    fences = {
        project_id: (lat, lon, fence)
        for project_id, lat, lon, fence in Device.objects.filter(kind=DeviceKind.MOBILE, project_id__in=active)
        .exclude(lat=None)
        .exclude(fence_m=None)
        .values_list("project_id", "lat", "lon", "fence_m")
    }
    punches = []
    for punch_id, digest, device_id, lat, lon, at in Punch.objects.filter(
        id_number_digest__in=list(managers), punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end
    ).values_list("id", "id_number_digest", "device_id", "lat", "lon", "punched_at"):
        project_id, engagement_id, who, person_id = managers[digest]
        device_project, location = devices.get(device_id, (None, "other"))
        punches.append(
            ManagerPunch(
                project_id,
                engagement_id,
                who,
                punch_id,
                device_project,
                location,
                (lat, lon) if lat is not None else None,
                fences.get(project_id),
                at,
                person_id,
            )
        )
    return evaluate(punches, day=ctx.day)


def describe(item) -> str:
    punches = item.evidence.get("punches", [])
    reasons = "、".join(sorted({p["reason"] for p in punches})) or "在项目以外考勤"
    return f"管理人员{item.subject}当日{len(punches)}次{reasons}（不计为出勤）。"


SPEC = RuleSpec(
    code=CODE,
    name="项目部以外设备考勤",
    label=_("Managers punching on devices elsewhere (项目部以外设备考勤)"),
    title="管理人员通过安装在项目部以外的设备考勤",
    source="甬建函〔2023〕82号 三(十)",
    category=10,
    annex1_row=3,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    invalidates="invalid_elsewhere",
    note="在其他项目的设备、位置为“其他”的设备上考勤，或手机考勤位置在项目围栏之外（均不计为出勤）；预警归属管理人员的项目。",
)
