"""R07 — forged attendance photos or records (甬建函〔2023〕82号 三(七)): the same photo on different punches (a
camera never takes the same bytes twice), or one person on two sites further apart than travel
allows between the two punches (default 120 km/h)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import Coalesce, Lag
from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, FalsePunch, Finding, RuleSpec

CODE = "R07"


@dataclass(frozen=True)
class SharedPhoto:
    project_id: int
    sha256: str
    punch_ids: tuple[int, ...]
    people: tuple[str, ...]  # masked ID numbers
    reused: tuple[FalsePunch, ...] = ()  # every punch that carries the photo after its first use


@dataclass(frozen=True)
class Hop:
    """Two consecutive punches of one person at different places."""

    project_id: int  # of the second punch
    person_id: int | None  # None: the number's holder is not engaged on the second punch's project
    who: str
    first_at: dt.datetime
    second_at: dt.datetime
    first_place: tuple[float, float]
    second_place: tuple[float, float]
    second: FalsePunch | None = None  # the punch that could not have been made
    max_speed_kmh: int | None = None  # the second punch's project's policy (else evaluate's default)
    digest: str = ""  # the ID number's lookup digest: which number, for a hop linked to nobody


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
            # The subject names the photo, never a count: the count grows night by night in the evidence.
            f"重复使用的考勤照片（编号{p.sha256[:8].upper()}）",
            day,
            day,
            evidence={"photo_sha256": p.sha256, "punches": list(p.punch_ids), "id_numbers": list(p.people)},
            period_key=f"photo:{p.sha256}",
            false_punches=p.reused,
        )
        for p in photos
        if len(p.punch_ids) > 1
    ]
    for hop in hops:
        km = distance_km(hop.first_place, hop.second_place)
        hours = (hop.second_at - hop.first_at).total_seconds() / 3600
        limit = hop.max_speed_kmh or max_speed_kmh
        if km > 0 and (hours <= 0 or km / hours > limit):
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
                    # A hop linked to nobody on its project is told apart by its number (the digest's head).
                    period_key=f"hop:{day.isoformat()}" + ("" if hop.person_id else f":{hop.digest[:16]}"),
                    false_punches=(hop.second,) if hop.second else (),
                )
            )
    return findings


def _shared_photos(ctx) -> list[SharedPhoto]:
    """Photos of the day's punches that any punch up to the day's end also carries (the partial photo
    index). The finding is the project of the photo's latest use, a punch of the day; a part of the night
    (ctx.unit_projects) starts from its own projects' punches, so that the part holding that project
    finds it."""
    day_punches = Punch.objects.filter(punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end)
    if ctx.unit_projects is not None:
        day_punches = day_punches.filter(project_id__in=ctx.unit_projects)
    shared = defaultdict(list)
    for punch_id, project_id, sha, masked, person_id, at in (
        Punch.objects.filter(
            photo_sha256__in=day_punches.exclude(photo_sha256="").values("photo_sha256"), punched_at__lt=ctx.day_end
        )
        .order_by("punched_at", "id")
        .values_list("id", "project_id", "photo_sha256", "id_number_masked", "person_id", "punched_at")
    ):
        shared[sha].append((punch_id, project_id, masked, person_id, at))
    return [
        SharedPhoto(
            items[-1][1],
            sha,
            tuple(i[0] for i in items),
            tuple(sorted({i[2] for i in items})),
            tuple(FalsePunch(i[0], i[4], i[3], i[1], "考勤照片与其他考勤记录重复") for i in items[1:]),
        )
        for sha, items in shared.items()
        if len(items) > 1
    ]


def _hops(ctx) -> list[Hop]:
    """Consecutive punches of one ID number at different places (the phone's coordinates, else the
    device's): a window over the day's punches in the database returns only the moves. By the number's
    digest, not the person link: a punch on a site where the holder is not engaged is linked to nobody
    there, and must still place him. A part of the night (ctx.unit_projects) reads the whole day of the
    numbers that punched on its projects."""
    lat, lon = Coalesce("lat", "device__lat"), Coalesce("lon", "device__lon")
    window: dict[str, Any] = {"partition_by": [F("id_number_digest")], "order_by": F("punched_at").asc()}
    day = Punch.objects.filter(punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end)
    if ctx.unit_projects is not None:
        # The numbers as a list, not a subquery: the database then reads their day by the (digest,
        # punched_at) index instead of scanning the month's partition for the day (a part's read must
        # cost its share of the whole run's, not the whole run's each time).
        numbers = list(
            day.filter(project_id__in=ctx.unit_projects)
            .order_by()
            .values_list("id_number_digest", flat=True)
            .distinct()
        )
        day = day.filter(id_number_digest__in=numbers)
    moves = (
        day.annotate(
            place_lat=lat,
            place_lon=lon,
            prev_at=Window(Lag("punched_at"), **window),
            # django-stubs types Lag's first argument as a field name only; Django takes any expression.
            prev_lat=Window(Lag(lat), **window),  # type: ignore[arg-type]
            prev_lon=Window(Lag(lon), **window),  # type: ignore[arg-type]
        )
        .filter(place_lat__isnull=False, prev_lat__isnull=False)
        .filter(~Q(place_lat=F("prev_lat")) | ~Q(place_lon=F("prev_lon")))
        .values_list(
            "project_id",
            "person_id",
            "id_number_masked",
            "prev_at",
            "punched_at",
            "prev_lat",
            "prev_lon",
            "place_lat",
            "place_lon",
            "id",
            "project__district_id",
            "id_number_digest",
        )
    )
    hops = []
    for project_id, person_id, masked, prev_at, at, prev_lat, prev_lon, lat_, lon_, punch_id, district, digest in moves:
        hops.append(
            Hop(
                project_id,
                person_id,
                masked,
                prev_at,
                at,
                (prev_lat, prev_lon),
                (lat_, lon_),
                FalsePunch(punch_id, at, person_id, project_id, "两次考勤之间的距离超出可能的行程"),
                ctx.book.for_district(district).r07_max_speed_kmh,
                digest,
            )
        )
    return hops


def collect(ctx) -> list[Finding]:
    """Each move is judged by the speed its project's policy allows (one night's parts judge alike)."""
    return evaluate(_shared_photos(ctx), _hops(ctx), day=ctx.day, max_speed_kmh=ctx.book.city.r07_max_speed_kmh)


def describe(item) -> str:
    e = item.evidence
    if "photo_sha256" in e:
        return (
            f"同一张考勤照片被{len(e.get('punches', []))}条考勤记录使用，涉及{len(e.get('id_numbers', []))}人；"
            "首次使用之后的记录不计为出勤。"
        )
    speed = f"，约每小时{e['speed_kmh']}公里" if e.get("speed_kmh") else ""
    return (
        f"{item.subject}于{words.moment(e.get('first_at'))}和{words.moment(e.get('second_at'))}在相距"
        f"{e.get('distance_km', 0)}公里的两地考勤（间隔{e.get('minutes', 0)}分钟{speed}），"
        "超出可能的行程。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="伪造考勤照片和记录",
    label=_("Forged photos or records (伪造考勤照片和记录)"),
    title="通过第三方软件伪造人员考勤照片和考勤记录",
    source="甬建函〔2023〕82号 三(七)",
    category=7,
    annex1_row=3,
    cadence=Cadence.NIGHTLY,
    resolves=False,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("r07_max_speed_kmh",),
    invalidates="invalid_forged",
    across_projects=True,
    note="同一张照片出现在不同考勤记录上（首次之后的均不计为出勤）；或同一人两次考勤之间的距离超出可能的行程速度（后一次不计）。",
)
