"""Reads of the upward outbox: per receiver and record kind, how many records are accepted, on their way or refused,
and how old the oldest waiting one is (the dashboard's page, the backlog check of operations/health)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, QuerySet
from django.utils import timezone

from attendance.models import Punch
from projects.choices import ParticipantRole
from projects.models import Engagement, Enterprise, Project
from upward.models import OPEN_STATES, OutboxItem, OutboxState, Receiver, RecordKind
from wages.models import LabourContract, WageSheet


@dataclass(frozen=True)
class KindState:
    kind: str
    label: str
    accepted: int
    waiting: int
    failed: int
    withheld: int


def outbox_summary(items: QuerySet[OutboxItem]) -> list[KindState]:
    """Per record kind in the receiver's order: accepted, waiting (written, being sent, awaiting the answer),
    refused and withheld (the latest item of a record that was refused, or held back here, and not written again)."""
    ended = (OutboxState.FAILED, OutboxState.WITHHELD)
    counts: dict[tuple[str, str], int] = {
        (row["kind"], row["state"]): row["n"]
        for row in items.exclude(state__in=ended).values("kind", "state").annotate(n=Count("pk"))
    }
    for state in ended:
        for row in outbox_refused(items, state).values("kind").annotate(n=Count("pk")):
            counts[(row["kind"], state)] = row["n"]
    return [
        KindState(
            kind=kind.value,
            label=str(kind.label),
            accepted=counts.get((kind.value, OutboxState.ACCEPTED), 0),
            waiting=sum(counts.get((kind.value, state), 0) for state in OPEN_STATES),
            failed=counts.get((kind.value, OutboxState.FAILED), 0),
            withheld=counts.get((kind.value, OutboxState.WITHHELD), 0),
        )
        for kind in RecordKind
    ]


def outbox_refused(items: QuerySet[OutboxItem], state: str = OutboxState.FAILED) -> QuerySet[OutboxItem]:
    """Refused records (or, with state=WITHHELD, records held back here) not written again since (a resend opens a
    new item for the record)."""
    later = OutboxItem.objects.filter(
        receiver=OuterRef("receiver"), kind=OuterRef("kind"), key=OuterRef("key"), pk__gt=OuterRef("pk")
    )
    return items.filter(state=state).exclude(Exists(later))


@dataclass(frozen=True)
class Backlog:
    receiver_id: int
    receiver: str
    oldest_seconds: int | None  # None: nothing waits
    late: bool

    @property
    def oldest_minutes(self) -> int | None:
        return None if self.oldest_seconds is None else self.oldest_seconds // 60


def upward_backlogs() -> list[Backlog]:
    """Per enabled receiver, how old its oldest waiting record is, and whether that is past the limit
    (SMZ_UPWARD_BACKLOG_MINUTES): one grouped query."""
    limit = dt.timedelta(minutes=settings.SMZ_UPWARD_BACKLOG_MINUTES)
    now = timezone.now()
    oldest = dict(
        OutboxItem.objects.filter(state__in=OPEN_STATES, receiver__enabled=True)
        .values("receiver_id")
        .annotate(at=Min("created_at"))
        .values_list("receiver_id", "at")
    )
    answers = []
    for pk, name in Receiver.objects.filter(enabled=True).order_by("name").values_list("pk", "name"):
        at = oldest.get(pk)
        answers.append(
            Backlog(
                pk, name, None if at is None else int((now - at).total_seconds()), at is not None and now - at > limit
            )
        )
    return answers


def record_labels(items: list[OutboxItem]) -> dict[int, str]:
    """What each listed record is, in words (a firm's name, a team, a worker's name and masked ID number): a few
    queries for the whole list, none per row."""
    keys: dict[str, set[str]] = defaultdict(set)
    for item in items:
        keys[item.kind].add(item.key)
    firms = dict(Enterprise.objects.filter(uscc__in=keys[RecordKind.CORP]).values_list("uscc", "name"))
    projects = {
        str(pk): name
        for pk, name in Project.objects.filter(
            pk__in=[int(k) for k in keys[RecordKind.PROJECT] if k.isdigit()]
        ).values_list("pk", "name")
    }
    engagement_ids = {k.rsplit(":", 1)[-1] for k in keys[RecordKind.WORKER] | keys[RecordKind.ENTRY_EXIT]}
    people = {
        str(pk): f"{name} {masked}"
        for pk, name, masked in Engagement.objects.filter(
            pk__in=[int(k) for k in engagement_ids if k.isdigit()]
        ).values_list("pk", "person__name", "person__id_number_masked")
    }
    employer_ids = {k.split(":")[1] for k in keys[RecordKind.PARTICIPANT] | keys[RecordKind.TEAM] if k.count(":") >= 2}
    employers = {
        str(pk): name
        for pk, name in Enterprise.objects.filter(pk__in=[int(k) for k in employer_ids if k.isdigit()]).values_list(
            "pk", "name"
        )
    }
    contracts = {
        str(pk): f"{name} {masked} {code}"
        for pk, name, masked, code in LabourContract.objects.filter(
            pk__in=[int(k) for k in keys[RecordKind.CONTRACT] if k.isdigit()]
        ).values_list("pk", "engagement__person__name", "engagement__person__id_number_masked", "code")
    }
    punches = {
        str(pk): f"{masked} {timezone.localtime(at):%Y-%m-%d %H:%M}"
        for pk, masked, at in Punch.objects.filter(
            pk__in=[int(k) for k in keys[RecordKind.ATTENDANCE] if k.isdigit()]
        ).values_list("pk", "id_number_masked", "punched_at")
    }
    sheets = {
        str(pk): f"{name} {month:%Y-%m} {team}"
        for pk, name, month, team in WageSheet.objects.filter(
            pk__in=[int(k) for k in keys[RecordKind.PAYROLL] if k.isdigit()]
        ).values_list("pk", "employer__name", "month", "team")
    }
    roles = dict(ParticipantRole.choices)
    labels = {}
    for item in items:
        key = item.key
        if item.kind == RecordKind.CORP:
            label = f"{firms.get(key, '')} {key}"
        elif item.kind == RecordKind.PROJECT:
            label = projects.get(key, key)
        elif item.kind == RecordKind.PARTICIPANT:
            _project, firm, role = key.split(":", 2)
            label = f"{employers.get(firm, firm)}（{roles.get(role, role)}）"
        elif item.kind == RecordKind.TEAM:
            _project, firm, team = key.split(":", 2)
            label = f"{employers.get(firm, firm)} {team}"
        elif item.kind == RecordKind.ENTRY_EXIT:
            direction, engagement = key.split(":", 1)
            label = f"{'进场' if direction == 'in' else '退场'} {people.get(engagement, engagement)}"
        elif item.kind == RecordKind.CONTRACT:
            label = contracts.get(key, key)
        elif item.kind == RecordKind.ATTENDANCE:
            label = punches.get(key, key)
        elif item.kind == RecordKind.PAYROLL:
            label = sheets.get(key, key)
        else:
            label = people.get(key, key)
        labels[item.pk] = label.strip()
    return labels
