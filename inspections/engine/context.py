"""The day a run judges: active projects, their timelines and the policy of each."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from inspections.calendar import Timeline, construction_days
from inspections.models import Policy
from inspections.selectors import timeline_from
from projects.choices import ProjectStatus, StatusRequestKind, StatusRequestState
from projects.models import Project, StatusRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")
STREAK_LOOKBACK_DAYS = 62


@dataclass
class Context:
    """What every rule of one day shares: the day, the active projects, their timelines and policies."""

    day: dt.date
    day_start: dt.datetime
    day_end: dt.datetime
    projects: dict[int, Project]
    timelines: dict[int, Timeline]
    policies: dict[int, Policy]  # by project

    def active(self) -> list[Project]:
        """Projects for which the day is a construction day under their policy."""
        return [p for p in self.projects.values() if self.is_construction_day(p.pk, self.day)]

    def is_construction_day(self, project_id: int, day: dt.date) -> bool:
        policy = self.policies[project_id]
        return bool(
            construction_days(
                self.timelines[project_id],
                [day],
                count_sundays=policy.count_sundays,
                count_holidays=policy.count_holidays,
            )  # fmt: skip
        )


def _permits(kind: str) -> dict[tuple[int, int | None], list[tuple[dt.date, dt.date | None]]]:
    permits = defaultdict(list)
    for project_id, vendor_id, start, end in StatusRequest.objects.filter(
        kind=kind, state=StatusRequestState.APPROVED
    ).values_list("project_id", "vendor_id", "effective_from", "effective_to"):
        permits[(project_id, vendor_id)].append((start, end))
    return permits


def build_context(day: dt.date) -> Context:
    projects = {p.pk: p for p in Project.objects.exclude(status=ProjectStatus.NOT_STARTED).exclude(actual_start=None)}
    requests = defaultdict(list)
    for request in StatusRequest.objects.filter(
        project_id__in=projects, state=StatusRequestState.APPROVED,
        kind__in=[StatusRequestKind.SUSPENSION, StatusRequestKind.RESUMPTION],
    ).order_by("effective_from", "id"):  # fmt: skip
        requests[request.project_id].append(request)
    timelines = {pk: timeline_from(p, requests[pk]) for pk, p in projects.items()}
    city = Policy.objects.get(district__isnull=True, in_force=True)
    by_district = {p.district_id: p for p in Policy.objects.filter(district__isnull=False, in_force=True)}
    policies = {pk: by_district.get(p.district_id, city) for pk, p in projects.items()}
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return Context(day=day, day_start=start, day_end=start + dt.timedelta(days=1), projects=projects,
                   timelines=timelines, policies=policies)  # fmt: skip


# --- Inputs of each rule ---------------------------------------------------------------------------
