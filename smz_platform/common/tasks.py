"""Platform housekeeping tasks."""

from __future__ import annotations

from celery import shared_task
from django.core import management

from smz_platform.common.beat import OncePerSlot


@shared_task(base=OncePerSlot, acks_late=True)
def clear_expired_sessions_task() -> None:
    """Delete expired login sessions (Django's clearsessions) and the beat's slots older than a week;
    idempotent, so safe to re-deliver."""
    from django.utils import timezone

    from smz_platform.common.models import ScheduledRun

    management.call_command("clearsessions")
    ScheduledRun.objects.filter(slot__lt=timezone.now() - timezone.timedelta(days=7)).delete()
