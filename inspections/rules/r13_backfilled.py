"""R13 — historical attendance back-filled (seed 000 #13): punches received more than 48 h after they
were made, unless the device's own heartbeats show it was offline then (it was flushing a backlog)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R13"


@dataclass(frozen=True)
class LatePunch:
    project_id: int
    device_id: int
    serial: str
    punch_id: int
    punched_at: dt.datetime
    received_at: dt.datetime
    device_offline_then: bool


def evaluate(punches: list[LatePunch], *, day: dt.date, limit_hours: int) -> list[Finding]:
    limit = dt.timedelta(hours=limit_hours)
    by_device: dict[int, list[LatePunch]] = {}
    for p in punches:
        if p.received_at - p.punched_at > limit and not p.device_offline_then:
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
            evidence={
                "punches": [p.punch_id for p in items[:50]],
                "count": len(items),
                "longest_delay_hours": round(
                    max((p.received_at - p.punched_at).total_seconds() for p in items) / 3600, 1
                ),
                "limit_hours": limit_hours,
            },
        )  # fmt: skip
        for device_id, items in by_device.items()
    ]
