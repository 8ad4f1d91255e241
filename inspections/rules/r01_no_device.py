"""R01 — active project without an attendance device (seed 000 #1, seed 001 Annex 1 item 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R01"


@dataclass(frozen=True)
class ProjectDevices:
    project_id: int
    name: str
    actual_start: dt.date
    devices_in_service: int


def evaluate(projects: list[ProjectDevices], *, day: dt.date, grace_days: int) -> list[Finding]:
    """`projects`: those for which `day` is a construction day."""
    return [
        Finding(
            CODE,
            p.project_id,
            "project",
            p.project_id,
            p.name,
            day,
            day,
            evidence={"actual_start": p.actual_start.isoformat(), "devices_in_service": 0, "grace_days": grace_days},
        )  # fmt: skip
        for p in projects
        if p.devices_in_service == 0 and day >= p.actual_start + dt.timedelta(days=grace_days)
    ]
