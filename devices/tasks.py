"""Periodic device work (schedules: CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from devices.gateway import purge_nonces
from devices.services import devices_sweep_offline
from smz_platform.common.beat import OncePerSlot


@shared_task(base=OncePerSlot, acks_late=True)
def sweep_offline_devices_task() -> int:
    return devices_sweep_offline(now=timezone.now())


@shared_task(base=OncePerSlot, acks_late=True)
def purge_device_nonces_task() -> int:
    return purge_nonces()
