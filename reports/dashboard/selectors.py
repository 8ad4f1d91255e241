"""Reads of the dashboard: each page's figures in a bounded number of grouped queries, whatever the
size of the city (the trends come from the nightly roll-up, not from millions of presence rows)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from devices.choices import DeviceState
from devices.models import Device
from inspections.calendar import construction_days, month_days, position_timeline
from inspections.cohorts import manager_judged
from inspections.models import Alert
from inspections.selectors import (
    attended_days,
    open_findings_by_project,
    people_on_site,
    policy_for,
    project_timeline,
)
from inspections.selectors.handling import to_handle_q
from inspections.selectors.presence import firm_roles
from projects.choices import Category, RegionLevel, StatusOnDay
from projects.models import Engagement, Project, Region, User
from projects.selectors import position_names, projects_by_status
from reports.dashboard.charts import Series
from reports.models import DistrictDay


@dataclass
class Figures:
    active_projects: int = 0  # 在建 today (projects.selectors.status_on)
    suspended_projects: int = 0  # 停工 today
    devices_total: int = 0
    devices_online: int = 0
    people_today: int = 0
    managers_judged: int = 0
    managers_passed: int = 0
    open_alerts: int = 0

    @property
    def online_rate(self) -> float | None:
        return self.devices_online / self.devices_total if self.devices_total else None

    @property
    def pass_rate(self) -> float | None:
        return self.managers_passed / self.managers_judged if self.managers_judged else None

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Overview:
    total: Figures
    districts: list[tuple[Region, Figures]]
    by_rule: list[tuple[str, int]]
    trend_labels: list[str] = field(default_factory=list)
    trends: list[Series] = field(default_factory=list)
    as_of: dt.date | None = None  # the roll-up's last day (managers' pass rate)
    computed_at: dt.datetime | None = None  # when the live figures were counted (a kept overview's)


def overview(*, districts: list[Region], today: dt.date) -> Overview:
    """Live figures per district (six grouped queries) and the 30-day trends from the roll-up."""
    ids = [d.pk for d in districts]
    figures = {pk: Figures() for pk in ids}
    for district_id, status, n in (
        projects_by_status(
            today, StatusOnDay.ACTIVE, StatusOnDay.SUSPENDED, queryset=Project.objects.filter(district__in=ids)
        )
        .values("district_id", "status_today")
        .annotate(n=Count("id"))
        .values_list("district_id", "status_today", "n")
    ):
        if status == StatusOnDay.ACTIVE:
            figures[district_id].active_projects = n
        else:
            figures[district_id].suspended_projects = n
    for district_id, total, online in (
        Device.objects.filter(state=DeviceState.ACTIVE, project__district__in=ids)
        .values("project__district_id")
        .annotate(total=Count("id"), online=Count("id", filter=Device.reachable_q(timezone.now())))
        .values_list("project__district_id", "total", "online")
    ):
        figures[district_id].devices_total, figures[district_id].devices_online = total, online
    for district_id, n in people_on_site(day=today, project__district__in=ids).items():
        figures[district_id].people_today = n
    # 未处理 (inspections.selectors.handling) by district and rule: one pass over the alerts gives both the
    # districts' cards and the rule chart.
    rules: dict[str, int] = defaultdict(int)
    for district_id, code, n in (
        Alert.objects.filter(to_handle_q(), project__district__in=ids)
        .values("project__district_id", "rule")
        .annotate(n=Count("id"))
        .values_list("project__district_id", "rule", "n")
    ):
        figures[district_id].open_alerts += n
        rules[code] += n
    by_rule = sorted(rules.items())
    rolled = list(
        DistrictDay.objects.filter(district__in=ids, day__gte=today - dt.timedelta(days=31), day__lt=today).order_by(
            "day"
        )
    )
    as_of = None
    latest = {}
    for row in rolled:
        if row.managers_judged:
            latest[row.district_id] = row
    for district_id, row in latest.items():
        figures[district_id].managers_judged = row.managers_judged
        figures[district_id].managers_passed = row.managers_passed
        as_of = max(as_of or row.day, row.day)
    total = Figures()
    for pk in ids:
        total.add(figures[pk])
    days = [today - dt.timedelta(days=n) for n in range(30, 0, -1)]
    sums = defaultdict(lambda: [0, 0, 0])
    for row in rolled:
        sums[row.day][0] += row.people_on_site
        sums[row.day][1] += row.alerts
        sums[row.day][2] += row.devices_offline
    names = ("在场人数", "预警数", "离线设备")
    trends = [Series(names[k], [sums[d][k] for d in days]) for k in range(3)]
    return Overview(
        total=total,
        districts=[(d, figures[d.pk]) for d in districts],
        by_rule=by_rule,
        trend_labels=[d.strftime("%m-%d") for d in days],
        trends=trends,
        as_of=as_of,
    )


def province_districts(province: Region) -> list[Region]:
    """The districts of a province's cities, in code order (the page and the task keep the same list)."""
    return list(Region.objects.filter(parent__parent=province, parent__level=RegionLevel.CITY).order_by("code"))


def _overview_key(districts: list[Region], today: dt.date) -> str:
    digest = hashlib.sha1(",".join(str(d.pk) for d in districts).encode()).hexdigest()[:16]
    return f"smz:overview:{today.isoformat()}:{digest}"


def overview_refresh(*, districts: list[Region], today: dt.date) -> Overview:
    """Count a wide overview's live figures and keep them (reports.tasks refreshes the provinces' every
    minute, so that the page reads them instead of counting a province's day on every view)."""
    data = overview(districts=districts, today=today)
    data.computed_at = timezone.now()
    cache.set(_overview_key(districts, today), data, settings.SMZ_OVERVIEW_KEEP_SECONDS)
    return data


def overview_recent(*, districts: list[Region], today: dt.date) -> Overview:
    """The kept overview (at most SMZ_OVERVIEW_KEEP_SECONDS old; the page says when it was counted), or
    one counted now when none is kept (no beat running, the first view of the day)."""
    return cache.get(_overview_key(districts, today)) or overview_refresh(districts=districts, today=today)


def ranked_projects(*, district: Region, today: dt.date, limit: int = 30) -> list[tuple[Project, int]]:
    """The district's projects 在建 or 停工 today, most open findings first (with their status today)."""
    projects = {
        p.pk: p
        for p in projects_by_status(
            today, StatusOnDay.ACTIVE, StatusOnDay.SUSPENDED, queryset=Project.objects.filter(district=district)
        )
    }
    findings = open_findings_by_project(list(projects))
    ranked = sorted(projects.values(), key=lambda p: (-findings.get(p.pk, 0), p.permit_no))[:limit]
    return [(p, findings.get(p.pk, 0)) for p in ranked]


@dataclass(frozen=True)
class ManagerRow:
    name: str
    id_number: str
    position: str
    cells: list[str]  # per day: attended | absent | off (not a construction day) | future
    judged: bool = True  # judged on attendance by the project's cohort (inspections.cohorts)


@dataclass(frozen=True)
class Calendar:
    month: dt.date
    days: list[dt.date]
    worker_cells: list[tuple[dt.date, int, int, int]]  # day, attended, engaged, heat level 0–4 (-1: off)
    managers: list[ManagerRow]


def project_calendar(*, user: User, project: Project, month: dt.date, today: dt.date) -> Calendar:
    """The month's presence day by day: a heat map of workers, a row per manager (four queries), of the
    people in the user's scope (a subcontractor sees its own: projects.scope)."""
    all_days = month_days(month)
    days = [d for d in all_days if d <= today]
    policy = policy_for(project=project)
    timeline = project_timeline(project=project)

    def built_for(timeline) -> set[dt.date]:
        return set(
            construction_days(timeline, days, count_sundays=policy.count_sundays, count_holidays=policy.count_holidays)
        )

    built = built_for(timeline)
    engagements = list(
        Engagement.objects.restrict(user, "view")
        .filter(project=project, entered_on__lte=all_days[-1])
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=all_days[0]))
        .select_related("person")
        .order_by("category", "position", "pk")
    )
    present = defaultdict(set, attended_days(project=project, first=all_days[0], last=all_days[-1]))
    workers = [e for e in engagements if e.category == Category.WORKER]
    cells = []
    for day in all_days:
        engaged = sum(1 for e in workers if e.entered_on <= day and (e.exited_on is None or e.exited_on >= day))
        attended = sum(1 for e in workers if day in present[e.person_id])
        if day > today or day not in built:
            level = -1
        else:
            rate = attended / engaged if engaged else 0
            level = 0 if rate == 0 else 1 if rate < 0.5 else 2 if rate < 0.7 else 3 if rate < 0.8 else 4
        cells.append((day, attended, engaged, level))
    managers = []
    positions = position_names()
    roles = firm_roles([project.pk]) if policy.managers_judged_roles else {}
    for e in engagements:
        if e.category != Category.MANAGER:
            continue
        judged = manager_judged(project, policy, roles.get((project.pk, e.employer_id), ()))
        own = position_timeline(timeline, policy, e.position)  # two stops: the project manager's runs on
        held = built if own is timeline else built_for(own)
        row = []
        for day in all_days:
            if day > today or (day == today and day not in present[e.person_id]):
                row.append("future")  # today is not over: not yet absent
            elif day not in held:
                row.append("off")
            else:
                row.append("attended" if day in present[e.person_id] else "absent")
        managers.append(
            ManagerRow(e.person.name, e.person.id_number_masked, positions.get(e.position, e.position), row, judged)
        )
    return Calendar(month=month, days=all_days, worker_cells=cells, managers=managers)
