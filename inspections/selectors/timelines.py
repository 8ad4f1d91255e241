"""Projects in time: their construction-day timelines, the permits they hold, and which were under
construction in a period (在建)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from inspections.calendar import Timeline
from projects.choices import ProjectStatus, StatusRequestKind, StatusRequestState
from projects.models import Project, StatusRequest

Permits = dict[tuple[int, int | None], list[tuple[dt.date, dt.date | None]]]


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


def timelines_for(projects: dict[int, Project]) -> dict[int, Timeline]:
    """The timelines of many projects in one query over their approved suspensions and resumptions."""
    requests = defaultdict(list)
    for request in StatusRequest.objects.filter(
        project_id__in=list(projects), state=StatusRequestState.APPROVED,
        kind__in=[StatusRequestKind.SUSPENSION, StatusRequestKind.RESUMPTION],
    ).order_by("effective_from", "id"):  # fmt: skip
        requests[request.project_id].append(request)
    return {pk: timeline_from(project, requests[pk]) for pk, project in projects.items()}


def project_timeline(*, project: Project) -> Timeline:
    return timelines_for({project.pk: project})[project.pk]


def approved_permits(kind: str) -> Permits:
    """Approved permits of a kind (mobile attendance, platform docking) by (project, vendor): their periods."""
    permits: Permits = defaultdict(list)
    for project_id, vendor_id, start, end in StatusRequest.objects.filter(
        kind=kind, state=StatusRequestState.APPROVED
    ).values_list("project_id", "vendor_id", "effective_from", "effective_to"):
        permits[(project_id, vendor_id)].append((start, end))
    return permits


def projects_judged() -> QuerySet[Project]:
    """Projects the rules judge at all: started (the construction-day calendar decides which days)."""
    return Project.objects.exclude(status=ProjectStatus.NOT_STARTED).exclude(actual_start=None)


def projects_active_between(start: dt.date, end: dt.date) -> QuerySet[Project]:
    """在建项目: started on or before `end`, not completed or stopped before `start` (a suspension
    does not make a project any less under construction)."""
    return (
        Project.objects.exclude(status=ProjectStatus.NOT_STARTED)
        .filter(actual_start__isnull=False, actual_start__lte=end)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=start))
        .filter(Q(attendance_stopped_on__isnull=True) | Q(attendance_stopped_on__gte=start))
    )
