"""Each scheduled job runs once per slot of the schedule, however many beats send it.

Two beats at once (a second container started by mistake, a failover that overlapped) would run every
job twice. The beat's scheduler (SlotScheduler, CELERY_BEAT_SCHEDULER) marks each message with its
slot, the minute it was due; the job's task (OncePerSlot, the base of every scheduled task) claims
the slot in ScheduledRun before running — a unique row — and a second message for the same slot
finds it taken and does nothing. A task called by hand (no slot) just runs.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import Task
from celery.beat import PersistentScheduler
from django.db import IntegrityError, transaction

logger = logging.getLogger("smz.beat")
SLOT_HEADER = "smz_slot"


class SlotScheduler(PersistentScheduler):
    def slot(self) -> dt.datetime:
        return self.app.now().replace(second=0, microsecond=0)

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        entry = self.reserve(entry) if advance else entry
        headers = {**entry.options.get("headers", {}), SLOT_HEADER: self.slot().isoformat()}
        entry.options = {**entry.options, "headers": headers}
        return super().apply_async(entry, producer=producer, advance=False, **kwargs)


def slot_claim(job: str, slot: str) -> bool:
    from smz_platform.common.models import ScheduledRun

    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job, slot=dt.datetime.fromisoformat(slot))
    except IntegrityError:
        return False
    return True


class OncePerSlot(Task):
    def __call__(self, *args, **kwargs):
        headers = getattr(self.request, "headers", None) or {}
        slot = headers.get(SLOT_HEADER) or getattr(self.request, SLOT_HEADER, None)
        # A retry (the nightly run waiting for a claim) carries its first message's headers: it runs.
        if slot and not self.request.retries and not slot_claim(self.name, slot):
            logger.warning("%s for %s: already run by another beat's message; skipped", self.name, slot)
            return None
        return super().__call__(*args, **kwargs)
