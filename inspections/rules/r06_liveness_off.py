"""R06 — liveness detection switched off (甬建函〔2023〕82号 三(六); 吉建管〔2021〕6号 三(四)): the device
reported it off at some time of the day, or took punches without a liveness check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from devices.models import DeviceFlip, FlipField
from inspections.rules import ladders
from inspections.rules.base import Cadence, Finding, RuleSpec

CODE = "R06"


@dataclass(frozen=True)
class DeviceLiveness:
    device_id: int
    serial: str
    project_id: int
    off_during_day: bool  # from the liveness flips and the setting at the start of the day
    punches_without_check: int


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
        )  # fmt: skip
        for d in devices
        if d.off_during_day or d.punches_without_check > 0
    ]


def collect(ctx) -> list[Finding]:
    devices = {d.pk: d for items in ctx.devices_in_service().values() for d in items}
    before = dict(
        DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.LIVENESS, at__lt=ctx.day_start)
        .values("device_id").annotate(last=Max("at")).values_list("device_id", "last")
    )  # fmt: skip
    setting_at_start = {
        device_id: value
        for device_id, at, value in DeviceFlip.objects.filter(field=FlipField.LIVENESS, device_id__in=before)
        .values_list("device_id", "at", "value")
        if at == before[device_id]
    }  # fmt: skip
    off_during = set(
        DeviceFlip.objects.filter(device_id__in=devices, field=FlipField.LIVENESS, value=False,
                                  at__gte=ctx.day_start, at__lt=ctx.day_end).values_list("device_id", flat=True)
    )  # fmt: skip
    unchecked = dict(
        Punch.objects.filter(device_id__in=devices, flag_no_liveness=True, punched_at__gte=ctx.day_start,
                             punched_at__lt=ctx.day_end)
        .values("device_id").annotate(n=Count("id")).values_list("device_id", "n")
    )  # fmt: skip
    return evaluate(
        [DeviceLiveness(pk, d.serial, d.project_id, setting_at_start.get(pk) is False or pk in off_during,
                        unchecked.get(pk, 0))
         for pk, d in devices.items()],
        day=ctx.day,
    )  # fmt: skip


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
    note="设备心跳报告活体检测关闭，或设备上传了未经活体检测的考勤。",
)
