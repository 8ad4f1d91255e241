"""The nightly rules run (schedule: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from inspections.engine import RunInProgress, rules_run
from inspections.services.escalation import measures_escalate

logger = logging.getLogger("smz.rules")


@shared_task(acks_late=True)
def run_rules_nightly_task(day: str | None = None) -> int:
    """Every rule for `day` (ISO date; default yesterday in Asia/Shanghai). Returns the findings."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    try:
        results = rules_run(day=target)
    except RunInProgress:
        logger.warning("rules run for %s skipped: another run holds the lock", target)
        return 0
    return sum(r.findings for r in results)


@shared_task(acks_late=True)
def escalate_overdue_measures_task(day: str | None = None) -> dict:
    """The escalation ladder for `day` (ISO date; default today in Asia/Shanghai): overdue orders whose
    rule still fires get their next measures proposed; the others close."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    counts = measures_escalate(today=today)
    return {"escalated": counts.escalated, "closed": counts.closed, "proposed": counts.proposed,
            "waiting": counts.waiting}  # fmt: skip
