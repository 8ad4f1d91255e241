"""R15 — worker attendance short of the workforce seen on site (seed 001 Annex 1 item 3): a site
visit's headcount against the same day's attended workers. Short by the policy's smallest shortfall
up to 15: rectify ("少于实际用工人数15人"); by more than 15 ("15人（不含15人）以上"): penalty."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R15"
RECTIFY = "rectify"
PENALTY = "penalty"


@dataclass(frozen=True)
class SiteCount:
    inspection_id: int
    project_id: int
    project_name: str
    day: dt.date
    headcount: int
    attended: int


def severity(shortfall: int, *, min_shortfall: int, penalty_shortfall: int) -> str | None:
    """None when the shortfall does not count; else what the checklist prescribes."""
    if shortfall < max(min_shortfall, 1):
        return None
    return PENALTY if shortfall > penalty_shortfall else RECTIFY


def evaluate(counts: list[SiteCount], *, min_shortfall: int, penalty_shortfall: int) -> list[Finding]:
    findings = []
    for c in counts:
        shortfall = c.headcount - c.attended
        level = severity(shortfall, min_shortfall=min_shortfall, penalty_shortfall=penalty_shortfall)
        if level is None:
            continue
        findings.append(
            Finding(
                CODE,
                c.project_id,
                "inspection",
                c.inspection_id,
                c.project_name,
                c.day,
                c.day,
                evidence={
                    "inspection": c.inspection_id,
                    "headcount": c.headcount,
                    "attended": c.attended,
                    "shortfall": shortfall,
                    "severity": level,
                    "penalty_above": penalty_shortfall,
                },
            )
        )
    return findings
