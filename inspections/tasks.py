"""The nightly rules run and its watchdog (schedule: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import chain, group, shared_task
from django.conf import settings
from django.utils import timezone

from inspections.engine import RunInProgress
from inspections.engine.claims import ClaimLost
from inspections.engine.fanout import (
    STAGES,
    Unit,
    night_close,
    night_open,
    night_parts,
    night_units,
    part_run,
    stage_units,
)
from inspections.models import NightlyRun, RunState
from inspections.services.escalation import measures_escalate
from smz_platform.common.beat import OncePerSlot

logger = logging.getLogger("smz.rules")

# A night still not complete this long after its first attempt is left to the operator (healthz says so).
GIVE_UP_AFTER = dt.timedelta(hours=12)


def _night(day: dt.date) -> NightlyRun | None:
    return NightlyRun.objects.filter(day=day, part="").first()


def _lease_retry() -> int:
    return settings.SMZ_RULES_RUN_LEASE_SECONDS + 15


@shared_task(base=OncePerSlot, bind=True, acks_late=True, max_retries=None)
def run_rules_nightly_task(self, day: str | None = None) -> int:
    """Every rule for `day` (ISO date; default yesterday in Asia/Shanghai), fanned out over the workers
    (inspections.engine.fanout): a group of one task per district for the rules that find punches
    false, then one for the other rules, then the close. Returns the number of districts.

    A night already complete is not run again (a second beat, a redelivered message). A night whose
    claim another run holds is retried after the claim's lease, until it is complete: a holder that died
    mid-run (its heartbeat goes stale) is taken over, and a skipped night never passes as done.
    """
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    night = _night(target)
    if night is not None and night.state == RunState.COMPLETE:
        logger.info("rules run for %s: already complete (attempt %s)", target, night.attempts)
        return 0
    try:
        claim = night_open(day=target)
    except RunInProgress as exc:
        night = _night(target)
        if self.request.is_eager:
            raise  # in-process (the embedded default, tests): no worker to come back later
        if night is not None and timezone.now() - night.started_at > GIVE_UP_AFTER:
            logger.error("rules run for %s: still held after %s; giving up (see /healthz)", target, GIVE_UP_AFTER)
            raise
        countdown = _lease_retry()
        logger.warning("rules run for %s: another run holds the claim; retrying in %s s", target, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc
    units = night_units()
    iso = target.isoformat()
    # Lists, not generators: a group keeps a generator lazy, and `stage` would be read after the loop.
    stages = [
        group(
            [
                rules_part_task.si(iso, u.region_id, u.code, stage, claim.token, list(u.district_ids))
                for u in stage_units(stage, units)
            ]
        )
        for stage in STAGES
        if units
    ]
    chain(*stages, rules_night_close_task.si(iso, claim.token, night_parts(units))).apply_async()
    return len(units)


# ignore_result=False: a chord counts its parts' results in the result backend (CELERY_RESULT_BACKEND).
@shared_task(bind=True, acks_late=True, ignore_result=False, max_retries=5)
def rules_part_task(
    self, day: str, region_id: int, code: str, stage: int, token: str, districts: list[int] | None = None
) -> int:
    """One stage of one part of the night (a city, or some districts of one); returns its findings. A
    part another worker is running (or whose holder died, until its lease runs out) is retried after the
    lease; one that failed is retried alone, up to five times; one whose night was taken over by a
    newer attempt stops."""
    target = dt.date.fromisoformat(day)
    try:
        results = part_run(day=target, unit=Unit(region_id, code, tuple(districts or ())), stage=stage, token=token)
    except ClaimLost:
        logger.warning("rules run for %s, part %s:%s: the night was taken over; stopped", day, stage, code)
        return 0
    except RunInProgress as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=_lease_retry(), max_retries=None) from exc
    except Exception as exc:
        if self.request.is_eager:
            raise
        logger.exception("rules run for %s, part %s:%s failed; retrying it alone", day, stage, code)
        raise self.retry(exc=exc, countdown=30) from exc
    return sum(r.findings for r in results or [])


@shared_task(acks_late=True)
def rules_night_close_task(day: str, token: str, parts: list[str]) -> str:
    """After the last part: the night is complete if every part is (else failed, for the watchdog)."""
    try:
        return "complete" if night_close(day=dt.date.fromisoformat(day), token=token, parts=parts) else "incomplete"
    except ClaimLost:
        return "superseded"


@shared_task(base=OncePerSlot, acks_late=True)
def nightly_run_watchdog_task() -> str:
    """Yesterday's night must be complete by morning: if it is not, and nobody is running it now (no
    fresh heartbeat), queue it again. Covers a beat that was down at 01:30 and a lost message."""
    day = timezone.localdate() - dt.timedelta(days=1)
    night = _night(day)
    lease = dt.timedelta(seconds=settings.SMZ_RULES_RUN_LEASE_SECONDS)
    if night is not None and night.state == RunState.COMPLETE:
        return "complete"
    if night is not None and night.state == RunState.RUNNING and timezone.now() - night.heartbeat_at < lease:
        return "running"
    logger.warning("rules run for %s is %s: queued again", day, night.state if night else "missing")
    run_rules_nightly_task.delay(day.isoformat())
    return "queued"


@shared_task(base=OncePerSlot, acks_late=True)
def escalate_overdue_measures_task(day: str | None = None) -> dict:
    """The escalation ladder for `day` (ISO date; default today in Asia/Shanghai): overdue orders whose
    rule still fires get their next measures proposed; the others close."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    counts = measures_escalate(today=today)
    return {
        "escalated": counts.escalated,
        "closed": counts.closed,
        "proposed": counts.proposed,
        "waiting": counts.waiting,
    }
