"""Platform housekeeping tasks."""

from __future__ import annotations

from celery import shared_task
from django.core import management

from smz_platform.common.beat import OncePerSlot


@shared_task(base=OncePerSlot, acks_late=True)
def clear_expired_sessions_task() -> None:
    """Delete expired login sessions (Django's clearsessions), expired API tokens (an API call checks only the
    token it presents: smz_platform/common/tokens.py) and the beat's slots older than a week; idempotent, so
    safe to re-deliver."""
    from django.utils import timezone
    from knox.models import AuthToken

    from smz_platform.common.models import ScheduledRun

    management.call_command("clearsessions")
    AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    ScheduledRun.objects.filter(slot__lt=timezone.now() - timezone.timedelta(days=7)).delete()


@shared_task
def sms_send_task(*, phone: str, text: str) -> None:
    """A text message, sent off the request (smz_platform.common.sms): the page that asked answers at once,
    whatever the provider takes (its time would otherwise tell an asker whether a message was sent, that is
    whether a number is engaged). A code is worth five minutes: a message the provider refused is logged, not
    retried (the person asks again after a minute; a retry later would deliver a code already expired)."""
    import logging

    from smz_platform.common.sms import SmsError, sms_send

    try:
        sms_send(phone=phone, text=text)
    except SmsError as exc:
        logging.getLogger("smz.sms").error("短信未发送: %s", exc)
