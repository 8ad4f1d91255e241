"""Reads of the upward outbox: per receiver and record kind, how many records are accepted, on their way or refused,
and how old the oldest waiting one is (the dashboard's page, the backlog check of operations/health)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from upward.models import OPEN_STATES, OutboxItem, OutboxState, Receiver, RecordKind


@dataclass(frozen=True)
class KindState:
    kind: str
    label: str
    accepted: int
    waiting: int
    failed: int


def outbox_summary(items: QuerySet[OutboxItem]) -> list[KindState]:
    """Per record kind in the receiver's order: accepted, waiting (written, being sent, awaiting the answer), and
    refused (the latest item of a record that was refused and not written again)."""
    counts: dict[tuple[str, str], int] = {
        (row["kind"], row["state"]): row["n"]
        for row in items.exclude(state=OutboxState.FAILED).values("kind", "state").annotate(n=Count("pk"))
    }
    for row in outbox_refused(items).values("kind").annotate(n=Count("pk")):
        counts[(row["kind"], OutboxState.FAILED)] = row["n"]
    return [
        KindState(
            kind=kind.value,
            label=str(kind.label),
            accepted=counts.get((kind.value, OutboxState.ACCEPTED), 0),
            waiting=sum(counts.get((kind.value, state), 0) for state in OPEN_STATES),
            failed=counts.get((kind.value, OutboxState.FAILED), 0),
        )
        for kind in RecordKind
    ]


def outbox_refused(items: QuerySet[OutboxItem]) -> QuerySet[OutboxItem]:
    """Refused records not written again since (a resend opens a new item for the record)."""
    later = OutboxItem.objects.filter(
        receiver=OuterRef("receiver"), kind=OuterRef("kind"), key=OuterRef("key"), pk__gt=OuterRef("pk")
    )
    return items.filter(state=OutboxState.FAILED).exclude(Exists(later))


def backlog_age(receiver: Receiver, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long the oldest record still waiting for this receiver has waited (None: nothing waits)."""
    oldest = OutboxItem.objects.filter(receiver=receiver, state__in=OPEN_STATES).aggregate(at=Min("created_at"))["at"]
    return None if oldest is None else (now or timezone.now()) - oldest
