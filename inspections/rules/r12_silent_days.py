"""R12 — no attendance for consecutive days (seed 000 #12): a streak of 4 or more construction days
with no worker presence, and separately with no manager presence. The alert covers the whole streak:
`period_start` its first empty day, `period_end` its last; a streak that goes on extends it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R12"


# What a regulator reads in the alert's subject (seed 000 #12: 务工人员考勤信息 / 项目管理人员考勤信息).
WHO = {"workers": "务工人员无考勤", "managers": "管理人员无考勤"}


@dataclass(frozen=True)
class Streak:
    project_id: int
    name: str
    who: str  # "workers" | "managers"
    empty_days: tuple[dt.date, ...]  # the construction days without presence, ending on the day judged


def evaluate(streaks: list[Streak], *, min_days: int) -> list[Finding]:
    findings = []
    for s in streaks:
        if len(s.empty_days) >= min_days:
            start, end = s.empty_days[0], s.empty_days[-1]
            findings.append(
                Finding(
                    CODE,
                    s.project_id,
                    "project",
                    s.project_id,
                    f"{s.name}（{WHO[s.who]}）",
                    start,
                    end,
                    evidence={"who": s.who, "empty_construction_days": [d.isoformat() for d in s.empty_days]},
                    period_key=f"{s.who}:{start.isoformat()}",
                )  # fmt: skip
            )
    return findings
