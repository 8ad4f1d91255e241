"""The nightly roll-up behind the dashboard's trends: one row per district and day (DistrictDay)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from inspections.models import Alert, AlertState
from inspections.selectors import month_presence, people_on_site, projects_judged
from projects.choices import RegionLevel, StatusOnDay
from projects.models import Region
from projects.selectors import projects_by_status
from reports.models import DistrictDay


def district_days_roll_up(*, day: dt.date, with_managers: bool = True) -> int:
    """Roll `day` up for every district, set-based (a grouped query per figure); the managers' month-to-
    date pass rate (the month's presence of every project) only when asked, as the nightly task does."""
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT))
    active = dict(
        projects_by_status(day, StatusOnDay.ACTIVE)
        .values("district_id")
        .annotate(n=Count("id"))
        .values_list("district_id", "n")
    )
    people = people_on_site(day=day)
    standing = Alert.objects.filter(period_start__lte=day, period_end__gte=day).exclude(state=AlertState.DISMISSED)
    alerts = dict(
        standing.values("project__district_id").annotate(n=Count("id")).values_list("project__district_id", "n")
    )
    offline = dict(
        standing.filter(rule="R03")
        .values("project__district_id")
        .annotate(n=Count("subject_id", distinct=True))
        .values_list("project__district_id", "n")
    )
    judged, passed = {}, {}
    if with_managers:
        projects = list(projects_judged().filter(district__in=districts))
        for presence in month_presence(projects=projects, month=day.replace(day=1), until=day).values():
            if not presence.judged:
                continue  # no construction day yet this month: nobody judged
            district_id = presence.project.district_id
            judged[district_id] = judged.get(district_id, 0) + len(presence.managers)
            passed[district_id] = passed.get(district_id, 0) + sum(1 for m in presence.managers if m.passed)
    for district in districts:
        figures = {
            "active_projects": active.get(district.pk, 0),
            "people_on_site": people.get(district.pk, 0),
            "alerts": alerts.get(district.pk, 0),
            "devices_offline": offline.get(district.pk, 0),
        }
        if with_managers:
            figures.update(managers_judged=judged.get(district.pk, 0), managers_passed=passed.get(district.pk, 0))
        DistrictDay.objects.update_or_create(day=day, district=district, defaults=figures)
    return len(districts)
