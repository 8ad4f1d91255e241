"""R03 — device offline, not reaching the platform (seed 000 #3): at some moment of the day the
device had been out of contact for longer than the limit (default 24 h)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R03"


@dataclass(frozen=True)
class Silence:
    """One stretch without contact: from the last contact until it came back (None: not yet)."""

    device_id: int
    serial: str
    project_id: int
    since: dt.datetime
    until: dt.datetime | None


def evaluate(
    silences: list[Silence], *, day_start: dt.datetime, day_end: dt.datetime, limit_hours: int
) -> list[Finding]:
    limit = dt.timedelta(hours=limit_hours)
    findings, seen = [], set()
    for s in sorted(silences, key=lambda s: s.since):
        # Out of contact for more than the limit at some moment t of the day: t > since + limit,
        # t before the device came back, and t within [day_start, day_end).
        over_from = max(s.since + limit, day_start)
        over_until = min(s.until or day_end, day_end)
        if over_from < over_until and s.device_id not in seen:
            seen.add(s.device_id)
            day = day_start.date()
            findings.append(
                Finding(
                    CODE,
                    s.project_id,
                    "device",
                    s.device_id,
                    s.serial,
                    day,
                    day,
                    evidence={
                        "last_contact": s.since.isoformat(),
                        "back_online": s.until.isoformat() if s.until else None,
                        "limit_hours": limit_hours,
                    },
                )  # fmt: skip
            )
    return findings
