"""R07 — forged attendance photos or records (seed 000 #7): the same photo on different punches (a
camera never takes the same bytes twice), or one person on two sites further apart than travel
allows between the two punches (default 120 km/h)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R07"


@dataclass(frozen=True)
class SharedPhoto:
    project_id: int
    sha256: str
    punch_ids: tuple[int, ...]
    people: tuple[str, ...]  # masked ID numbers


@dataclass(frozen=True)
class Hop:
    """Two consecutive punches of one person at different places."""

    project_id: int  # of the second punch
    person_id: int
    who: str
    first_at: dt.datetime
    second_at: dt.datetime
    first_place: tuple[float, float]
    second_place: tuple[float, float]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def evaluate(photos: list[SharedPhoto], hops: list[Hop], *, day: dt.date, max_speed_kmh: int) -> list[Finding]:
    findings = [
        Finding(
            CODE,
            p.project_id,
            "photo",
            None,
            f"照片 {p.sha256[:12]}… 被 {len(p.punch_ids)} 条考勤使用",
            day,
            day,
            evidence={"photo_sha256": p.sha256, "punches": list(p.punch_ids), "id_numbers": list(p.people)},
            period_key=f"photo:{p.sha256}",
        )  # fmt: skip
        for p in photos
        if len(p.punch_ids) > 1
    ]
    for hop in hops:
        km = distance_km(hop.first_place, hop.second_place)
        hours = (hop.second_at - hop.first_at).total_seconds() / 3600
        if km > 0 and (hours <= 0 or km / hours > max_speed_kmh):
            findings.append(
                Finding(
                    CODE,
                    hop.project_id,
                    "person",
                    hop.person_id,
                    hop.who,
                    day,
                    day,
                    evidence={
                        "distance_km": round(km, 1),
                        "minutes": round(hours * 60, 1),
                        "speed_kmh": round(km / hours, 1) if hours > 0 else None,
                        "first_at": hop.first_at.isoformat(),
                        "second_at": hop.second_at.isoformat(),
                    },
                    period_key=f"hop:{day.isoformat()}",
                )  # fmt: skip
            )
    return findings
