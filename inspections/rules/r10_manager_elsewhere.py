"""R10 — manager punching on a device outside the project (seed 000 #10): on a device bound to
another project or located `other`, or a mobile punch outside the project's fence. The alert
belongs to the manager's project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding
from inspections.rules.r07_forgery import distance_km

CODE = "R10"


@dataclass(frozen=True)
class ManagerPunch:
    project_id: int  # the manager's project
    engagement_id: int
    who: str
    punch_id: int
    device_project_id: int
    device_location: str
    mobile_place: tuple[float, float] | None = None
    fence: tuple[float, float, int] | None = None  # the project's fence: lat, lon, radius in metres


def evaluate(punches: list[ManagerPunch], *, day: dt.date) -> list[Finding]:
    bad: dict[tuple[int, int], list[dict]] = {}
    who = {}
    for p in punches:
        reason = None
        if p.device_project_id != p.project_id:
            reason = "device of another project"
        elif p.device_location == "other":
            reason = "device located outside the site"
        elif p.mobile_place is not None and p.fence is not None:
            metres = distance_km(p.mobile_place, p.fence[:2]) * 1000
            if metres > p.fence[2]:
                reason = f"mobile punch {round(metres)} m from the site (fence {p.fence[2]} m)"
        if reason:
            bad.setdefault((p.project_id, p.engagement_id), []).append({"punch": p.punch_id, "reason": reason})
            who[(p.project_id, p.engagement_id)] = p.who
    return [
        Finding(
            CODE,
            project_id,
            "engagement",
            engagement_id,
            who[(project_id, engagement_id)],
            day,
            day,
            evidence={"punches": items},
        )  # fmt: skip
        for (project_id, engagement_id), items in bad.items()
    ]
