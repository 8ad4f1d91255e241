"""R06 — liveness detection switched off (seed 000 #6, seed 001 §三(四)): the device reported it off
at some time of the day, or took punches without a liveness check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

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
