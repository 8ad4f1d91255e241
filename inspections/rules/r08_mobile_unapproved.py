"""R08 — phone attendance without approval (seed 000 #8, seed 003 §四(一)): mobile punches on a
project without an approved mobile-attendance permit covering the day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

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
