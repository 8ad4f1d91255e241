"""R13 — historical attendance back-filled (甬建函〔2023〕82号 三(十三)): punches received more than 48 h after
they were made, unless they are a backlog: made while the device was offline (its own contacts show it)
and received within the same limit of the device's return. A punch held back past its device's return
is back-filled however offline the device was when it was dated: a device silent every morning from
07:30 to 08:30 does not excuse punches "made" at 07:55 and sent weeks later.

The intake marks every punch received more than an hour after it was made (`flag_late`, a small partial
index); the rule judges those against the policy's limit, so any limit from one hour up takes effect."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from devices.models import Device, DeviceFlip, FlipField
from inspections.rules import ladders
from inspections.rules.base import Cadence, FalsePunch, Finding, RuleSpec

CODE = "R13"


@dataclass(frozen=True)
class LatePunch:
    project_id: int
    device_id: int
    serial: str
    punch_id: int
    punched_at: dt.datetime
    received_at: dt.datetime
    backlog: bool  # made while the device was offline and received within the limit of its return
    person_id: int | None = None


def evaluate(punches: list[LatePunch], *, day: dt.date, limit_hours: int) -> list[Finding]:
    limit = dt.timedelta(hours=limit_hours)
    by_device: dict[int, list[LatePunch]] = {}
    for p in punches:
        if p.received_at - p.punched_at > limit and not p.backlog:
            by_device.setdefault(p.device_id, []).append(p)
    return [
        Finding(
            CODE,
            items[0].project_id,
            "device",
            device_id,
            items[0].serial,
            day,
            day,
            false_punches=tuple(
                FalsePunch(p.punch_id, p.punched_at, p.person_id, p.project_id, "设备在线期间补传的历史考勤")
                for p in items
            ),
            evidence={
                "punches": [p.punch_id for p in items[:50]],
                "count": len(items),
                "longest_delay_hours": round(
                    max((p.received_at - p.punched_at).total_seconds() for p in items) / 3600, 1
                ),
                "limit_hours": limit_hours,
            },
        )
        for device_id, items in by_device.items()
    ]


def collect(ctx) -> list[Finding]:
    active = ctx.active_ids()
    late = list(
        Punch.objects.filter(
            project_id__in=active, received_at__gte=ctx.day_start, received_at__lt=ctx.day_end, flag_late=True
        ).values_list("id", "project_id", "device_id", "punched_at", "received_at", "person_id")
    )
    devices = dict(Device.objects.filter(id__in={row[2] for row in late}).values_list("id", "serial"))
    flips = defaultdict(list)
    for device_id, at, value in (
        DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.ONLINE)
        .order_by("at", "id")
        .values_list("device_id", "at", "value")
    ):
        flips[device_id].append((at, value))

    def backlog(device_id: int, punched_at: dt.datetime, received_at: dt.datetime, limit: dt.timedelta) -> bool:
        """Offline when the punch was made, and received within `limit` of the device's return (its first
        contact after that offline period; none recorded yet: this very receipt)."""
        state, returned = None, None
        for at, value in flips[device_id]:
            if at <= punched_at:
                state = value
            elif value:
                returned = at
                break
        if state is not False:
            return False
        return received_at - (returned if returned and returned <= received_at else received_at) <= limit

    findings = []
    for project_id in {row[1] for row in late}:
        limit_hours = ctx.policy(project_id).r13_late_hours
        findings += evaluate(
            [
                LatePunch(
                    project_id,
                    device_id,
                    devices[device_id],
                    punch_id,
                    punched_at,
                    received_at,
                    backlog(device_id, punched_at, received_at, dt.timedelta(hours=limit_hours)),
                    person_id,
                )
                for punch_id, p_id, device_id, punched_at, received_at, person_id in late
                if p_id == project_id
            ],
            day=ctx.day,
            limit_hours=limit_hours,
        )
    return findings


def describe(item) -> str:
    e = item.evidence
    return (
        f"考勤设备{item.subject}在线期间补传了{e.get('count', 0)}条历史考勤，"
        f"最长延迟{e.get('longest_delay_hours', 0)}小时（时限{e.get('limit_hours', 48)}小时）；"
        "补传的记录不计为出勤。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="补传历史考勤数据",
    label=_("Back-filled attendance (补传历史考勤数据)"),
    title="存在项目补传历史考勤数据扰乱市场行为现象",
    source="甬建函〔2023〕82号 三(十三)",
    category=13,
    annex1_row=3,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r13_late_hours",),
    invalidates="invalid_backfilled",
    note="接收时间晚于考勤时间超过时限，且不属于离线积压：考勤时设备离线、并在设备恢复联网后的时限内上传的记录不计；"
    "设备恢复联网后超过时限才上传的记录，无论考勤时设备是否离线，均视为补传；补传的记录不计为出勤。",
)
