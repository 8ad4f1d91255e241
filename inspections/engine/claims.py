"""The claim on a day's run, or on one part of it (inspections.models.NightlyRun): one run of a day (or
of a part) at a time, portable.

A run takes the day's row by a conditional update (absent, finished, failed, or held by a run whose
heartbeat is older than the lease: its process died) and beats after every rule, writing the heartbeat
when a tenth of the lease has passed since it last did: a run whose heartbeat is that fresh cannot have
been taken over, and a night of small parts no longer writes its claim 25 times in a second. A second run of the
day while the first one's heartbeat is fresh raises RunInProgress. Only conditional updates on the
claim token decide, so two workers racing for the same day never both win.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from inspections.models import NightlyRun, RunState


class RunInProgress(Exception):
    """Another run of the day holds its claim."""


class ClaimLost(Exception):
    """The claim was taken over (this run's heartbeat had gone stale): stop writing."""


class Claim:
    def __init__(self, run_id: int, token: str, *, previous: str = "", beaten: float | None = None) -> None:
        self.run_id, self.token = run_id, token
        self.previous = previous  # the state the row was in when taken ("" for a new row)
        # When (time.monotonic()) this claim last wrote its heartbeat; None: not known, the next beat writes.
        self.beaten = beaten

    def _mine(self):
        return NightlyRun.objects.filter(pk=self.run_id, token=self.token, state=RunState.RUNNING)

    def beat(self) -> None:
        """Keep the claim alive, or raise ClaimLost if it was taken over. Another run takes it only once its
        heartbeat is older than the lease, so within a tenth of the lease of this claim's last write it is
        still this run's and the write is skipped."""
        now = time.monotonic()
        if self.beaten is not None and now - self.beaten < _lease().total_seconds() / 10:
            return
        if self._mine().update(heartbeat_at=timezone.now()) != 1:
            raise ClaimLost
        self.beaten = now

    def finish(self, state: str, error: str = "") -> None:
        self._mine().update(state=state, finished_at=timezone.now(), heartbeat_at=timezone.now(), error=error[:4000])


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SMZ_RULES_RUN_LEASE_SECONDS)


def claim_take(*, day: dt.date, part: str = "", unit_id: int | None = None) -> Claim:
    now, token, taken_at = timezone.now(), secrets.token_hex(16), time.monotonic()
    try:
        with transaction.atomic():
            run = NightlyRun.objects.create(
                day=day,
                part=part,
                unit_id=unit_id,
                state=RunState.RUNNING,
                token=token,
                started_at=now,
                heartbeat_at=now,
            )
        return Claim(run.pk, token, beaten=taken_at)
    except IntegrityError:
        pass  # the day has a row: take it over if its run is over or its holder is gone
    row = NightlyRun.objects.filter(day=day, part=part)
    previous = row.values_list("state", flat=True).first() or ""
    takeable = Q(state__in=[RunState.COMPLETE, RunState.FAILED]) | Q(heartbeat_at__lt=now - _lease())
    taken = row.filter(takeable).update(
        state=RunState.RUNNING,
        token=token,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error="",
        attempts=F("attempts") + 1,
    )
    if taken != 1:
        raise RunInProgress
    return Claim(row.get().pk, token, previous=previous, beaten=taken_at)


@contextmanager
def run_claim(*, day: dt.date, part: str = "", unit_id: int | None = None) -> Iterator[Claim]:
    claim = claim_take(day=day, part=part, unit_id=unit_id)
    try:
        yield claim
    except BaseException as exc:
        claim.finish(RunState.FAILED, error=repr(exc))
        raise
    claim.finish(RunState.COMPLETE)
