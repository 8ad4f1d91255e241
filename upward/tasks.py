"""Sending the upward outbox (schedule: CELERY_BEAT_SCHEDULE in settings): every minute, each enabled receiver's
round: first the attendance of the nights judged since its last round, then what is due. Rounds of one receiver
may overlap across workers: the claim's row locks keep them apart."""

from __future__ import annotations

import logging

from celery import shared_task

from smz_platform.common.beat import OncePerSlot
from upward.models import Receiver
from upward.sending import outbox_send
from upward.services import attendance_enqueue

log = logging.getLogger(__name__)


@shared_task(base=OncePerSlot, acks_late=True)
def send_upward_task() -> dict[str, int]:
    sent = {}
    for receiver in Receiver.objects.filter(enabled=True).order_by("pk"):
        judged = attendance_enqueue(receiver=receiver)  # the punches of the nights complete since the last round
        done = outbox_send(receiver=receiver)
        sent[receiver.name] = done.accepted
        done.messages.append(f"{judged} judged punches written")
        log.info("upward round", extra={"receiver": receiver.name, **done.__dict__})
    return sent
