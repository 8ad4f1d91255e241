"""Writes of the upward outbox: the records a change makes the receivers learn, written in the change's own
transaction (the registry's signals are sent inside it: projects/signals.py), and the city's "resend".

A record is written once per receiver: not again while an item of it is open or once it was accepted (the
receivers' `.Add` methods are not repeated); a refused one is written anew only by a resend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast
from django.utils import timezone

from attendance.models import Punch
from attendance.verdicts import counts_q
from inspections.models import NightlyRun, RunState
from projects.models import Engagement, Project, ProjectParticipant, User
from projects.scope import scope_of
from upward import records
from upward.models import OPEN_STATES, ORDER, OutboxItem, OutboxState, Receiver, RecordKind
from upward.records import SHANGHAI, Record
from wages.models import LabourContract, WageSheet

# A punch received after the night of its day was judged by a later night (R13 looks at late ones): the nights
# of this many days before are looked at again for such punches.
LATE_DAYS = 7


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


def on_contract_recorded(*, contract: LabourContract, **_kwargs) -> None:
    engagement = contract.engagement
    outbox_write(
        project=engagement.project,
        items=[*records.engagement_records(engagement), (RecordKind.CONTRACT, str(contract.pk))],
    )


def on_bank_results_recorded(*, sheet: WageSheet, **_kwargs) -> None:
    outbox_write(project=sheet.project, items=[(RecordKind.PAYROLL, str(sheet.pk))])


# --- attendance: what the nights judged ------------------------------------------------------------------------


def attendance_enqueue(*, receiver: Receiver) -> int:
    """考勤上报: the punches of each day whose night is complete, once the rules have judged them, written to the
    outbox; returns how many. Only what counts goes up (计入考勤, attendance.verdicts: not a punch the device
    refused, nor one a rule found borrowed, back-filled or forged), and only of a person engaged on the project
    that day (the receiver knows no one else there). Reporting at intake would pass upward, as the platform's
    word, punches that the same night finds false; the national interface has no way to take them back.

    The receiver's `attendance_through` says how far it went, moved by a conditional update in the same
    transaction as the day's items: two workers never write a day twice. A receiver added today starts with
    the day before it was added (history is not flooded upward)."""
    start = receiver.attendance_through or (timezone.localtime(receiver.created_at).date() - dt.timedelta(days=2))
    nights = (
        NightlyRun.objects.filter(part="", state=RunState.COMPLETE, day__gt=start)
        .order_by("day")
        .values_list("day", flat=True)
    )
    written = 0
    through = receiver.attendance_through
    for day in nights:
        with transaction.atomic():
            if not Receiver.objects.filter(pk=receiver.pk, attendance_through=through).update(attendance_through=day):
                break  # another worker took it
            written += _attendance_write(receiver, day)
        through = receiver.attendance_through = day
    return written


def _attendance_write(receiver: Receiver, day: dt.date) -> int:
    """One statement (INSERT … SELECT): the day's counting punches of the receiver's projects, and the late ones of
    the days before that the night judged, that the receiver has not had."""
    start = dt.datetime.combine(day, dt.time(), SHANGHAI)
    end, early = start + dt.timedelta(days=1), start - dt.timedelta(days=LATE_DAYS)
    region = receiver.region_id
    projects = Project.objects.filter(
        Q(district=region) | Q(district__parent=region) | Q(district__parent__parent=region)
    )
    now = timezone.now()
    had = OutboxItem.objects.filter(
        receiver=receiver, kind=RecordKind.ATTENDANCE, key=Cast(OuterRef("pk"), CharField())
    )
    # Each outbox column and what the SELECT puts in it (one list: the names and the values cannot drift apart).
    row: dict[str, Combinable] = {
        "receiver_id": Value(receiver.pk),
        "kind": Value(RecordKind.ATTENDANCE.value),
        "rank": Value(ORDER[RecordKind.ATTENDANCE]),
        "key": Cast("pk", CharField()),
        "project_id": F("project_id"),
        "state": Value(OutboxState.PENDING.value),
        "attempts": Value(0),
        "due_at": Value(now),
        "serial": Value(""),
        "reference": Value(""),
        "message": Value(""),
        "created_at": Value(now),
    }
    punches = (
        Punch.objects.filter(project__in=projects, person__isnull=False, flag_unregistered=False)
        .filter(punched_at__gte=early, punched_at__lt=end)
        .filter(Q(punched_at__gte=start) | Q(flag_late=True))
        .filter(counts_q())
        .exclude(Exists(had))
        .order_by()
        .values_list(*row.values())
    )
    select, params = punches.query.sql_with_params()
    columns = ", ".join(map(connection.ops.quote_name, row))
    table = connection.ops.quote_name(OutboxItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return cursor.rowcount


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
