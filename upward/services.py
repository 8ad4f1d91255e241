"""Writes of the upward outbox: the records a change makes the receivers learn, written in the change's own
transaction (the registry's signals are sent inside it: projects/signals.py), and the city's "resend".

A record is written once per receiver: not again while an item of it is open or once it was accepted (the
receivers' `.Add` methods are not repeated); a refused one is written anew only by a resend."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from projects.models import Engagement, Project, ProjectParticipant, User
from projects.scope import scope_of
from upward import records
from upward.models import OPEN_STATES, ORDER, OutboxItem, OutboxState, Receiver, RecordKind
from upward.records import Record


def receivers_of(project: Project) -> list[Receiver]:
    """The enabled receivers a project reports to: those of its district, its city or its province (one query)."""
    district = project.district_id
    return list(
        Receiver.objects.filter(enabled=True)
        .filter(Q(region_id=district) | Q(region__children=district) | Q(region__children__children=district))
        .distinct()
    )


def outbox_write(*, project: Project, items: Iterable[Record], receivers: list[Receiver] | None = None) -> int:
    """Writes the records a receiver has not had yet; returns how many items were written."""
    items = list(dict.fromkeys(items))
    receivers = receivers_of(project) if receivers is None else receivers
    if not items or not receivers:
        return 0
    now = timezone.now()
    written = 0
    for receiver in receivers:
        had = set(
            OutboxItem.objects.filter(receiver=receiver, key__in={key for _kind, key in items})
            .filter(Q(state__in=OPEN_STATES) | Q(state=OutboxState.ACCEPTED))
            .values_list("kind", "key")
        )
        rows = [
            OutboxItem(receiver=receiver, kind=kind, rank=ORDER[kind], key=key, project=project, due_at=now)
            for kind, key in items
            if (kind, key) not in had
        ]
        # An item written meanwhile by another transaction stands (the partial unique index): one open item.
        written += len(OutboxItem.objects.bulk_create(rows, ignore_conflicts=True))
    return written


def on_project_registered(*, project: Project, **_kwargs) -> None:
    outbox_write(project=project, items=records.project_records(project))


def on_participant_joined(*, participant: ProjectParticipant, **_kwargs) -> None:
    if records.reported_role(participant.role):
        outbox_write(
            project=participant.project,
            items=[(RecordKind.CORP, participant.enterprise.uscc), records.participant_record(participant)],
        )


def on_engagement_changed(*, engagement: Engagement, **_kwargs) -> None:
    outbox_write(project=engagement.project, items=records.engagement_records(engagement))


def outbox_resend(*, user: User, receiver: Receiver, project: Project, item: OutboxItem | None = None) -> int:
    """上报重发: a refused record again (or, with no item, every record of the project the receiver has not
    accepted), once the cause is put right (a credential, a code table, the registry)."""
    scope_of(user).authorize(receiver, "change")
    with transaction.atomic():
        wanted = [(item.kind, item.key)] if item is not None else records.project_records(project)
        written = outbox_write(project=project, items=wanted, receivers=[receiver])
        # What waited on a refused record is looked at in the next round, not after its backoff.
        OutboxItem.objects.filter(receiver=receiver, project=project, state=OutboxState.PENDING).update(
            due_at=timezone.now()
        )
        return written
