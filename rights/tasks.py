"""Text messages leave through Celery: the page that asked answers at once, whatever the provider takes (its
time would otherwise tell an asker whether a message was sent, that is whether a number is engaged)."""

from __future__ import annotations

import logging

from celery import shared_task

from smz_platform.common.sms import SmsError, sms_send

log = logging.getLogger("smz.sms")


@shared_task
def sms_send_task(*, phone: str, text: str) -> None:
    # A code is worth five minutes: a message the provider refused is logged, not retried (the person asks
    # again after a minute; a retry later would deliver a code already expired).
    try:
        sms_send(phone=phone, text=text)
    except SmsError as exc:
        log.error("短信未发送: %s", exc)
