"""The night fanned out over the workers: one part per district and stage, any number of workers.

The nightly run of a day is a Celery canvas (inspections.tasks.run_rules_nightly_task): a group of
stage-1 parts, one per district (the rules that find punches false, R06–R10 and R13, after the
district's manager replacements switch), then a group of stage-2 parts (every other rule), then the
close. Stage 2 waits for the whole of stage 1 because a punch on one district's site can be shown
false by another district's finding (a photo reused across districts, R07): presence is only read
once every verdict of the day is in, as in the run of the whole day (inspections.engine.rules_run),
whose alerts the fanned-out night gives exactly.

Each part has its own row (NightlyRun, part "<stage>:<district code>") and claim: a part killed mid-way
is taken over once its heartbeat is stale and run again alone (its alerts are upserted by key, so
nothing counts twice), and a part already complete is not run again when the night is retried. The
day's own row is the night's claim: every part beats it too, and a part whose night has been taken
over by a newer attempt (another token) stops. The day is complete when every part is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from inspections.engine import build_context, order_of_judgement, replacements_switch, rules_judge
from inspections.engine.claims import Claim, ClaimLost, claim_take, run_claim
from inspections.models import NightlyRun, RunState
from inspections.rules.base import RuleSpec
from projects.models import Project, Region

STAGES = (1, 2)


@dataclass(frozen=True)
class Unit:
    """One district's share of the night."""

    region_id: int
    code: str

    def part(self, stage: int) -> str:
        return f"{stage}:{self.code}"


def night_units() -> list[Unit]:
    """Every district with a project (judged or not: R07 finds on any project), in code order."""
    regions = Region.objects.filter(pk__in=Project.objects.values("district_id")).order_by("code")
    return [Unit(pk, code) for pk, code in regions.values_list("pk", "code")]


def night_parts(units: list[Unit]) -> list[str]:
    return [unit.part(stage) for stage in STAGES for unit in units]


def stage_rules(stage: int) -> list[RuleSpec]:
    return [spec for spec in order_of_judgement() if bool(spec.invalidates) == (stage == 1)]


def night_open(*, day: dt.date) -> Claim:
    """Take the day's claim for a fanned-out night (RunInProgress if a live run holds it). A night run
    again after it completed starts afresh; after a failure or a dead holder, the parts already
    complete stand and only the others run again."""
    claim = claim_take(day=day)
    if claim.previous == RunState.COMPLETE:
        NightlyRun.objects.filter(day=day).exclude(part="").delete()
    return claim


def _night_claim(day: dt.date, token: str) -> Claim:
    run_id = NightlyRun.objects.filter(day=day, part="", token=token, state=RunState.RUNNING).values_list(
        "pk", flat=True).first()  # fmt: skip
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
    with run_claim(day=day, part=part, unit_id=unit.region_id) as claim:
        projects = frozenset(Project.objects.filter(district_id=unit.region_id).values_list("pk", flat=True))
        if stage == 1:
            replacements_switch(day=day, project_ids=projects)
        ctx = build_context(day, project_ids=projects, unit_projects=projects)
        return rules_judge(stage_rules(stage), ctx, now=now, claims=[claim, night], part=part)


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
