"""One round of the upward sender by hand (what the beat runs every minute): each enabled receiver, or one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from upward.models import Receiver
from upward.sending import outbox_send
from upward.services import attendance_enqueue


class Command(BaseCommand):
    help = "Send the upward outbox to the receivers now and read their answers (one round, as the beat does)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--receiver", help="the receiver's name (default: every enabled receiver)")

    def handle(self, *args, **options) -> None:
        receivers = Receiver.objects.filter(enabled=True).order_by("pk")
        if options["receiver"]:
            receivers = receivers.filter(name=options["receiver"])
            if not receivers.exists():
                raise CommandError(f"No enabled receiver is named {options['receiver']!r}.")
        for receiver in receivers:
            judged = attendance_enqueue(receiver=receiver)
            done = outbox_send(receiver=receiver)
            self.stdout.write(
                f"{receiver.name}: {judged} judged punches written, "
                f"{done.calls} calls, {done.sent} records sent, {done.accepted} accepted, "
                f"{done.failed} refused, {done.retried} to retry"
            )
