"""R06 — liveness detection switched off (甬建函〔2023〕82号 三(六); 吉建管〔2021〕6号 三(四)): the device
reported it off at some time of the day, or took punches without a liveness check. A face punch whose
own liveness check did not pass does not make a day attended (photo attendance pays for nothing)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from attendance.choices import Method
from attendance.models import Punch
from devices.models import DeviceFlip, FlipField
from inspections.rules import ladders
from inspections.rules.base import Cadence, FalsePunch, Finding, RuleSpec

CODE = "R06"


@dataclass(frozen=True)
class DeviceLiveness:
    device_id: int
    serial: str
    project_id: int
    off_during_day: bool  # from the liveness flips and the setting at the start of the day
    punches_without_check: int
    unchecked: tuple[FalsePunch, ...] = ()  # the face punches of the day without a passed check


def evaluate(devices: list[DeviceLiveness], *, day: dt.date) -> list[Finding]:
    return [
        Finding(
            CODE,
            d.project_id,
            "device",
            d.device_id,
            d.serial,
            day,
            day,
            evidence={
                "liveness_reported_off": d.off_during_day,
                "punches_without_liveness_check": d.punches_without_check,
            },
            false_punches=d.unchecked,
        )
        for d in devices
        if d.off_during_day or d.punches_without_check > 0
    ]


def collect(ctx) -> list[Finding]:
    devices = {d.pk: d for items in ctx.devices_in_service().values() for d in items}
    before = dict(
        DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.LIVENESS, at__lt=ctx.day_start)
        .values("device_id")
        .annotate(last=Max("at"))
        .values_list("device_id", "last")
    )
    setting_at_start = {
        device_id: value
        for device_id, at, value in DeviceFlip.objects.filter(
            field=FlipField.LIVENESS, device_id__in=before
        ).values_list("device_id", "at", "value")
        if at == before[device_id]
    }
    off_during = set(
        DeviceFlip.objects.filter(
            device_id__in=devices, field=FlipField.LIVENESS, value=False, at__gte=ctx.day_start, at__lt=ctx.day_end
        ).values_list("device_id", flat=True)
    )
    unchecked = defaultdict(list)
    for punch_id, device_id, project_id, person_id, at, method in Punch.objects.filter(
        device_id__in=devices, flag_no_liveness=True, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end
    ).values_list("id", "device_id", "project_id", "person_id", "punched_at", "method"):
        unchecked[device_id].append(
            FalsePunch(punch_id, at, person_id, project_id, "人脸考勤未通过活体检测") if method == Method.FACE else None
        )
    return evaluate(
        [
            DeviceLiveness(
                pk,
                d.serial,
                d.project_id,
                setting_at_start.get(pk) is False or pk in off_during,
                len(unchecked[pk]),
                tuple(p for p in unchecked[pk] if p is not None),
            )
            for pk, d in devices.items()
        ],
        day=ctx.day,
    )


def describe(item) -> str:
    e = item.evidence
    parts = []
    if e.get("liveness_reported_off"):
        parts.append("报告活体检测已关闭")
    if e.get("punches_without_liveness_check"):
        parts.append(f"上传了{e['punches_without_liveness_check']}条未通过活体检测的考勤（不计为出勤）")
    return f"考勤设备{item.subject}{'，'.join(parts) or '活体检测异常'}。"


SPEC = RuleSpec(
    code=CODE,
    name="关闭活体检测",
    label=_("Liveness detection off, photo attendance (关闭活体检测)"),
    title="擅自关闭考勤设备活体检测功能，使用照片考勤",
    source="甬建函〔2023〕82号 三(六)；吉建管〔2021〕6号 三(四)",
    category=6,
    annex1_row=4,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    invalidates="invalid_no_liveness",
    note="设备心跳报告活体检测关闭，或设备上传了未经活体检测的考勤；人脸考勤未通过活体检测的，不计为出勤。",
)
