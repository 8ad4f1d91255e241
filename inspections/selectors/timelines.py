"""Projects in time: their construction-day timelines, the permits they hold, and which were under
construction in a period (在建)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from inspections.calendar import Timeline
from projects.choices import StatusRequestKind, StatusRequestState
from projects.models import Project, StatusRequest
from projects.selectors import start_in_force

Permits = dict[tuple[int, int | None], list[tuple[dt.date, dt.date | None]]]


def _effective(request: StatusRequest) -> dt.date:
    """The day an approved request changed the project (the approval's, or the requested date for a
    request approved before the platform recorded it)."""
    return request.takes_effect_on or request.effective_from


def timeline_from(project: Project, approved: list[StatusRequest]) -> Timeline:
    """A project's timeline from its approved start-date changes, suspensions and resumptions (in order
    of taking effect): a suspension runs from the day it took effect to the next approved resumption,
    or to its own end date; a start-date change moves the start from the day it took effect."""
    suspensions: list[tuple[dt.date, dt.date | None]] = []
    open_start, starts = None, []
    for request in sorted(approved, key=lambda r: (_effective(r), r.pk)):
        if request.kind == StatusRequestKind.START_DATE_CHANGE:
            starts.append((dt.date.min if request.retroactive else _effective(request), request.effective_from))
        elif request.kind == StatusRequestKind.SUSPENSION:
            if request.effective_to is not None:
                suspensions.append((_effective(request), request.effective_to + dt.timedelta(days=1)))
            else:
                open_start = _effective(request)
        elif open_start is not None:
            suspensions.append((open_start, _effective(request)))
            open_start = None
    if open_start is not None:
        suspensions.append((open_start, None))
    return Timeline(
        planned_start=project.planned_start,
        actual_start=project.actual_start,
        completed_on=project.completed_on,
        attendance_stopped_on=project.attendance_stopped_on,
        manager_attendance_stopped_on=project.manager_attendance_stopped_on,
        suspensions=tuple(suspensions),
        start_changes=tuple(starts),
    )


TIMELINE_KINDS = [StatusRequestKind.START_DATE_CHANGE, StatusRequestKind.SUSPENSION, StatusRequestKind.RESUMPTION]


def timelines_for(projects: dict[int, Project]) -> dict[int, Timeline]:
    """The timelines of many projects in one query over their approved requests."""
    requests = defaultdict(list)
    for request in StatusRequest.objects.filter(
        project_id__in=list(projects), state=StatusRequestState.APPROVED, kind__in=TIMELINE_KINDS
    ).order_by("id"):
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
    """Projects the rules judge: every one that has a start (the calendar decides which days, from the
    permit's planned start: a contractor who never reports the start is judged all the same)."""
    return Project.objects.all()


def projects_active_between(start: dt.date, end: dt.date) -> QuerySet[Project]:
    """在建项目: started on or before `end` (the start in force), not completed or stopped before `start`
    (a suspension does not make a project any less under construction)."""
    return (
        Project.objects.annotate(start_on=start_in_force())
        .filter(start_on__lte=end)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=start))
        .filter(Q(attendance_stopped_on__isnull=True) | Q(attendance_stopped_on__gte=start))
    )
