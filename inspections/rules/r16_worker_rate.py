"""R16 — worker attendance rate below target (seed 001 §二): attended workers ÷ engaged workers per
construction day, the month's mean, below 80%. Judged by the run for the month's last day."""

from __future__ import annotations

import datetime as dt

from inspections.presence import WorkerPresence
from inspections.rules.base import Finding

CODE = "R16"


def evaluate(
    project_id: int, name: str, workers: WorkerPresence, *, month: dt.date, last_day: dt.date
) -> list[Finding]:
    if workers.passed:
        return []
    return [
        Finding(
            CODE,
            project_id,
            "project",
            project_id,
            name,
            month,
            last_day,
            evidence={
                "engaged": workers.engaged,
                "attended_person_days": workers.attended_person_days,
                "rate": workers.rate,
                "threshold": workers.threshold,
            },
            period_key=month.strftime("%Y-%m"),
        )  # fmt: skip
    ]
