"""Reads of the rules engine: the policy in force, a project's timeline, its monthly presence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from attendance.models import DailyPresence
from inspections.calendar import Timeline, construction_days, manager_days, month_days
from inspections.models import Alert, Policy
from inspections.presence import ManagerPresence, Staff, WorkerPresence, manager_presence, worker_presence
from projects.choices import Category, StatusRequestKind, StatusRequestState
from projects.jurisdiction import projects_for
from projects.models import Engagement, Project, StatusRequest


def alerts_for(user) -> QuerySet[Alert]:
    """The alerts of the user's jurisdiction."""
    return Alert.objects.filter(project__in=projects_for(user)).select_related("project")


def policy_for(*, project: Project) -> Policy:
    """The district's own policy if it has one in force, else the city's."""
    district_policy = Policy.objects.filter(district_id=project.district_id, in_force=True).first()
    return district_policy or Policy.objects.get(district__isnull=True, in_force=True)


def timeline_from(project: Project, approved: list[StatusRequest]) -> Timeline:
    """A project's timeline from its approved suspension and resumption requests (in date order): a
    suspension runs from its date to the next approved resumption, or to its own end date."""
    suspensions, open_start = [], None
    for request in approved:
        if request.kind == StatusRequestKind.SUSPENSION:
            if request.effective_to is not None:
                suspensions.append((request.effective_from, request.effective_to + dt.timedelta(days=1)))
            else:
                open_start = request.effective_from
        elif open_start is not None:
            suspensions.append((open_start, request.effective_from))
            open_start = None
    if open_start is not None:
        suspensions.append((open_start, None))
    return Timeline(
        planned_start=project.planned_start, actual_start=project.actual_start, completed_on=project.completed_on,
        attendance_stopped_on=project.attendance_stopped_on, suspensions=tuple(suspensions),
    )  # fmt: skip


def project_timeline(*, project: Project) -> Timeline:
    approved = StatusRequest.objects.filter(
        project=project,
        state=StatusRequestState.APPROVED,
        kind__in=[StatusRequestKind.SUSPENSION, StatusRequestKind.RESUMPTION],
    ).order_by("effective_from", "id")
    return timeline_from(project, list(approved))


@dataclass(frozen=True)
class ProjectPresence:
    project: Project
    month: dt.date
    construction_days: int
    managers: list[ManagerPresence]
    workers: WorkerPresence


def project_presence(*, project: Project, month: dt.date, today: dt.date | None = None) -> ProjectPresence:
    """The month's presence (to date for the running month): two queries, however many people."""
    policy = policy_for(project=project)
    today = today or timezone.localdate()
    days = month_days(month, until=today)
    timeline = project_timeline(project=project)
    built = construction_days(timeline, days, count_sundays=policy.count_sundays, count_holidays=policy.count_holidays)
    first, last = (days[0], days[-1]) if days else (month, month)
    engagements = list(
        Engagement.objects.filter(project=project, entered_on__lte=last)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=first))
        .values("id", "person_id", "category", "position", "entered_on", "exited_on", "person__name",
                "person__id_number_masked")
        .order_by("category", "position", "id")
    )  # fmt: skip
    attended: dict[int, set[dt.date]] = defaultdict(set)
    counted = "photo_count" if policy.valid_requires_photo else "valid_count"
    valid_days = DailyPresence.objects.filter(
        project=project, day__gte=first, day__lte=last, **{f"{counted}__gte": policy.valid_min_punches}
    )
    if policy.valid_min_span_hours:
        span = dt.timedelta(hours=float(policy.valid_min_span_hours))
        valid_days = valid_days.filter(last_valid_at__gte=F("first_valid_at") + span)
    for person_id, day in valid_days.values_list("person_id", "day"):
        attended[person_id].add(day)

    def staff(row: dict) -> Staff:
        return Staff(
            engagement=row["id"], name=row["person__name"], id_number=row["person__id_number_masked"],
            position=row["position"], entered_on=row["entered_on"], exited_on=row["exited_on"],
            attended=frozenset(attended.get(row["person_id"], ())),
        )  # fmt: skip

    held = manager_days(timeline, built, grace_days=policy.manager_grace_days)
    managers = [
        manager_presence(
            staff(row),
            held,
            key_positions=policy.r11_key_positions,
            key_ratio=policy.r11_key_ratio,
            other_ratio=policy.r11_other_ratio,
        )  # fmt: skip
        for row in engagements
        if row["category"] == Category.MANAGER
    ]
    workers = worker_presence(
        [staff(row) for row in engagements if row["category"] == Category.WORKER], built,
        threshold=policy.r16_worker_rate,
    )  # fmt: skip
    return ProjectPresence(project=project, month=month, construction_days=len(built), managers=managers,
                           workers=workers)  # fmt: skip
