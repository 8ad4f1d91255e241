"""R09 — photo does not match the registered person (seed 000 #9): punches whose face match score
is below the policy's minimum (default 0.80)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R09"


@dataclass(frozen=True)
class Scores:
    project_id: int
    name: str
    scores: tuple[tuple[int, float], ...]  # (punch id, match score) of the day's scored punches


def evaluate(projects: list[Scores], *, day: dt.date, min_score: float) -> list[Finding]:
    findings = []
    for p in projects:
        low = [(punch_id, score) for punch_id, score in p.scores if score < min_score]
        if low:
            evidence = {"punches": [pid for pid, _s in low[:50]], "count": len(low),
                        "lowest": min(s for _pid, s in low), "min_score": min_score}  # fmt: skip
            findings.append(Finding(CODE, p.project_id, "project", p.project_id, p.name, day, day, evidence=evidence))
    return findings
