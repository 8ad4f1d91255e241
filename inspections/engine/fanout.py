"""The night fanned out over the workers: one part per city (or per group of districts of a big city)
and stage, any number of workers.

The nightly run of a day is a Celery canvas (inspections.tasks.run_rules_nightly_task): a group of
stage-1 parts (the rules that find punches false, R06–R10 and R13, after the part's manager
replacements switch), then a group of stage-2 parts (every other rule), then the close. A part is a
city; a city with more than SMZ_RULES_PART_PROJECTS projects is split into groups of whole districts
of about that many (each part costs a few fixed reads: fewer, larger parts waste less, but enough of
them keep every worker busy). Stage 2 waits for the whole of stage 1 because a punch on one district's site can be shown
false by another district's finding (a photo reused across districts, R07): presence is only read
once every verdict of the day is in, as in the run of the whole day (inspections.engine.rules_run),
whose alerts the fanned-out night gives exactly.

Each part has its own row (NightlyRun, part "<stage>:<code>": the city's, or its first and last
district's) and claim: a part killed mid-way
is taken over once its heartbeat is stale and run again alone (its alerts are upserted by key, so
nothing counts twice), and a part already complete is not run again when the night is retried. The
day's own row is the night's claim: every part beats it too, and a part whose night has been taken
over by a newer attempt (another token) stops. The day is complete when every part is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from inspections.engine import build_context, order_of_judgement, replacements_switch, rules_judge
from inspections.engine.claims import Claim, ClaimLost, claim_take, run_claim
from inspections.models import NightlyRun, RunState
from inspections.rules.base import RuleSpec
from projects.models import Project, Region

STAGES = (1, 2)


@dataclass(frozen=True)
class Unit:
    """One share of the night: whole districts (a city's, or some of a big city's)."""

    region_id: int  # the city, or the district when the share is one district
    code: str
    district_ids: tuple[int, ...] = ()

    def part(self, stage: int) -> str:
        return f"{stage}:{self.code}"

    @property
    def districts(self) -> tuple[int, ...]:
        return self.district_ids or (self.region_id,)


def night_units() -> list[Unit]:
    """The districts with a project (judged or not: R07 finds on any project), grouped: a city per
    part, a big city's districts in groups of about SMZ_RULES_PART_PROJECTS projects (a district is
    never split), in code order."""
    size = max(1, settings.SMZ_RULES_PART_PROJECTS)
    counts = dict(Project.objects.values("district_id").annotate(n=Count("id")).values_list("district_id", "n"))
    districts = Region.objects.filter(pk__in=counts).select_related("parent").order_by("code")
    by_city: dict[tuple[str, int], list[Region]] = {}
    for district in districts:
        city = district.parent or district
        by_city.setdefault((city.code, city.pk), []).append(district)
    units = []
    for (city_code, city_id), members in by_city.items():
        if sum(counts[d.pk] for d in members) <= size:
            units.append(Unit(city_id, city_code, tuple(d.pk for d in members)))
            continue
        group: list[Region] = []
        for district in members:
            group.append(district)
            if sum(counts[d.pk] for d in group) >= size or district is members[-1]:
                code = group[0].code if len(group) == 1 else f"{group[0].code}-{group[-1].code}"
                units.append(Unit(group[0].pk if len(group) == 1 else city_id, code, tuple(d.pk for d in group)))
                group = []
    return units


# The part of stage 1 that judges, for every project at once, the rules that read across projects (R07):
# each district's part would otherwise read the whole day again for its own share.
EVERYWHERE = Unit(0, "*")


def stage_units(stage: int, units: list[Unit]) -> list[Unit]:
    return [*units, EVERYWHERE] if stage == 1 and stage_rules(1, EVERYWHERE) else list(units)


def night_parts(units: list[Unit]) -> list[str]:
    return [unit.part(stage) for stage in STAGES for unit in stage_units(stage, units)]


def stage_rules(stage: int, unit: Unit | None = None) -> list[RuleSpec]:
    """The rules of a stage for a part: the EVERYWHERE part takes those that read across projects."""
    across = unit is not None and unit.code == EVERYWHERE.code  # the task rebuilds the Unit from its code
    return [
        spec
        for spec in order_of_judgement()
        if bool(spec.invalidates) == (stage == 1) and spec.across_projects == across
    ]


def night_open(*, day: dt.date) -> Claim:
    """Take the day's claim for a fanned-out night (RunInProgress if a live run holds it). A night run
    again after it completed starts afresh; after a failure or a dead holder, the parts already
    complete stand and only the others run again."""
    claim = claim_take(day=day)
    if claim.previous == RunState.COMPLETE:
        NightlyRun.objects.filter(day=day).exclude(part="").delete()
    return claim


def _night_claim(day: dt.date, token: str) -> Claim:
    run_id = (
        NightlyRun.objects.filter(day=day, part="", token=token, state=RunState.RUNNING)
        .values_list("pk", flat=True)
        .first()
    )
    if run_id is None:
        raise ClaimLost  # the night was taken over by a newer attempt, or closed
    return Claim(run_id, token)


def part_run(*, day: dt.date, unit: Unit, stage: int, token: str, now: dt.datetime | None = None):
    """One stage of one district's night. Returns its RuleResults, or None if the part was already
    complete. Raises ClaimLost if the night is no longer `token`'s, RunInProgress if another worker is
    running the part right now."""
    night = _night_claim(day, token)
    part = unit.part(stage)
    if NightlyRun.objects.filter(day=day, part=part, state=RunState.COMPLETE).exists():
        return None
    now = now or timezone.now()
    with run_claim(day=day, part=part, unit_id=unit.region_id or None) as claim:
        if unit.code == EVERYWHERE.code:
            return rules_judge(stage_rules(stage, unit), build_context(day), now=now, claims=[claim, night], part=part)
        projects = frozenset(Project.objects.filter(district_id__in=unit.districts).values_list("pk", flat=True))
        if stage == 1:
            replacements_switch(day=day, project_ids=projects)
        ctx = build_context(day, project_ids=projects, unit_projects=projects)
        return rules_judge(stage_rules(stage, unit), ctx, now=now, claims=[claim, night], part=part)


def night_close(*, day: dt.date, token: str, parts: list[str]) -> bool:
    """The night is complete when every one of its parts is; else it is marked failed (the watchdog
    queues it again, and only the parts not complete run)."""
    night = _night_claim(day, token)
    done = set(
        NightlyRun.objects.filter(day=day, part__in=parts, state=RunState.COMPLETE).values_list("part", flat=True)
    )
    missing = [p for p in parts if p not in done]
    if missing:
        night.finish(RunState.FAILED, error=f"parts not complete: {', '.join(missing)}")
        return False
    night.finish(RunState.COMPLETE)
    return True
