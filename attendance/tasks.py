"""Periodic attendance work (schedules: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from attendance.partitions import punch_default_partition_check, punch_partitions_ensure
from smz_platform.common.beat import OncePerSlot

MONTHS_AHEAD = 3


@shared_task(base=OncePerSlot, acks_late=True)
def ensure_punch_partitions_task() -> list[str]:
    """Create this month's partition and the next three, if missing (idempotent: run daily)."""
    return punch_partitions_ensure(start=timezone.localdate(), months=MONTHS_AHEAD + 1)


@shared_task(base=OncePerSlot, acks_late=True)
def check_default_partition_task() -> int:
    return punch_default_partition_check()
