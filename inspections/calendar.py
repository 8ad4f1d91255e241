"""The construction-day calendar (施工日). Pure: dates in, dates out.

A project's construction days are the calendar days on which it was active: on or after the actual
start, before completion, outside approved suspensions and before an approved stop of attendance.
Whether Sundays and statutory holidays count is the policy's; China's statutory days off and the
weekend days swapped into workdays come from the `holidays` package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays

from smz_platform.common.months import month_days  # noqa: F401  (the calendar's month, re-exported)


@dataclass(frozen=True)
class Timeline:
    """What the calendar needs of a project (selectors.project_timeline builds it)."""

    planned_start: dt.date
    actual_start: dt.date | None
    completed_on: dt.date | None = None
    attendance_stopped_on: dt.date | None = None
    # Approved suspensions: first day suspended, and the first day back (None: still suspended).
    suspensions: tuple[tuple[dt.date, dt.date | None], ...] = ()


@cache
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_counted(day: dt.date, *, count_sundays: bool, count_holidays: bool) -> bool:
    calendar = _china(day.year)
    if not count_holidays and day in calendar:
        return False
    # A Sunday swapped into a workday is a working day.
    return count_sundays or day.weekday() != 6 or day in calendar.weekend_workdays


def construction_days(
    timeline: Timeline, days: list[dt.date], *, count_sundays: bool = True, count_holidays: bool = True
) -> list[dt.date]:
    def active(day: dt.date) -> bool:
        if timeline.actual_start is None or day < timeline.actual_start:
            return False
        if timeline.completed_on is not None and day >= timeline.completed_on:
            return False
        if timeline.attendance_stopped_on is not None and day >= timeline.attendance_stopped_on:
            return False
        return not any(start <= day and (end is None or day < end) for start, end in timeline.suspensions)

    return [
        day
        for day in days
        if active(day) and is_counted(day, count_sundays=count_sundays, count_holidays=count_holidays)
    ]


def manager_days(timeline: Timeline, days: list[dt.date], *, grace_days: int) -> list[dt.date]:
    """Managers are held to attendance from the planned start plus the grace (中山 2019 上线通知 四(一))."""
    from_day = timeline.planned_start + dt.timedelta(days=grace_days)
    return [day for day in days if day >= from_day]
