"""Periodic work of the worker's side (schedules: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from rights.services.codes import codes_purge
from smz_platform.common.beat import OncePerSlot


@shared_task(base=OncePerSlot, acks_late=True)
def purge_one_time_codes_task() -> int:
    return codes_purge()
