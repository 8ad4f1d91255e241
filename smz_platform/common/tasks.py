"""Platform housekeeping tasks."""

from __future__ import annotations

from celery import shared_task
from django.core import management


@shared_task(acks_late=True)
def clear_expired_sessions_task() -> None:
    """Delete expired login sessions (Django's clearsessions); idempotent, so safe to re-deliver."""
    management.call_command("clearsessions")
