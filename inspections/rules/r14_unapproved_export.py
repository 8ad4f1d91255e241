"""R14 — personal data exported without approval (seed 000 #14, seed 001 §五(三)): an export, or a
bulk read of unmasked personal data, by a user without an approved export grant covering the day.
The finding is on the project whose data left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R14"


@dataclass(frozen=True)
class DataRelease:
    event_id: int
    project_id: int
    user_id: int | None
    username: str
    what: str
    records: int
    at: dt.datetime
    granted: bool


def evaluate(releases: list[DataRelease], *, day: dt.date) -> list[Finding]:
    return [
        Finding(
            CODE,
            r.project_id,
            "audit",
            r.event_id,
            f"{r.username}：{r.what}",
            day,
            day,
            evidence={"user": r.username, "what": r.what, "records": r.records, "at": r.at.isoformat()},
        )  # fmt: skip
        for r in releases
        if not r.granted
    ]
