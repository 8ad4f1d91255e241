"""The nightly runs as an operator reads them: the one answer /healthz and /metrics give."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from inspections.models import NightlyRun, RunState


@dataclass(frozen=True)
class Nights:
    yesterday: dt.date
    yesterday_state: str  # the whole night's state, or "missing"
    # The latest day whose whole night is complete (a re-run of an older day, finished later, is not it).
    last_complete: NightlyRun | None


def nights_state() -> Nights:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    whole = NightlyRun.objects.filter(part="")
    night = whole.filter(day=yesterday).first()
    last = whole.filter(state=RunState.COMPLETE).order_by("-day").first()
    return Nights(yesterday=yesterday, yesterday_state=night.state if night else "missing", last_complete=last)
