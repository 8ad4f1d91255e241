"""The construction-day calendar (施工日). Pure: dates in, dates out.

A project's construction days are the calendar days on which it was active: on or after its start,
before completion, outside approved suspensions and before an approved stop of attendance. The start
is the permit's planned start (施工许可的系统拟开工时间), moved only by an approved start-date change from
the day it takes effect (中山 2019 上线通知 三(六)1–2, (八)4); the actual start is a recorded fact that
excuses nothing.
Whether Sundays and statutory holidays count is the policy's; China's statutory days off and the
weekend days swapped into workdays come from the `holidays` package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cache

import holidays

from smz_platform.common.months import month_days  # noqa: F401  (the calendar's month, re-exported)


@dataclass(frozen=True)
class Timeline:
    """What the calendar needs of a project (inspections.selectors.timelines builds it)."""

    planned_start: dt.date
    actual_start: dt.date | None = None  # shown, never used to excuse a day
    completed_on: dt.date | None = None
    attendance_stopped_on: dt.date | None = None
    manager_attendance_stopped_on: dt.date | None = None  # the project manager's own stop (position_timeline)
    # Approved suspensions: first day suspended, and the first day back (None: still suspended).
    suspensions: tuple[tuple[dt.date, dt.date | None], ...] = ()
    # Approved start-date changes in the order they took effect: (the day it took effect, the new start).
    start_changes: tuple[tuple[dt.date, dt.date], ...] = ()

    def start_on(self, day: dt.date) -> dt.date:
        """The start in force on `day`: the planned start, or the last change that had taken effect."""
        start = self.planned_start
        for from_day, new_start in self.start_changes:
            if from_day <= day:
                start = new_start
        return start

    @property
    def start(self) -> dt.date:
        """The start in force now (after every approved change)."""
        return self.start_changes[-1][1] if self.start_changes else self.planned_start


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
        if day < timeline.start_on(day):
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


PROJECT_MANAGER = "project_manager"


def position_timeline(timeline: Timeline, policy, position: str) -> Timeline:
    """The timeline a position's holder is held to. Under a policy with two stops of attendance (中山 2019
    上线通知 三(十二)), the project manager's runs on past the stop that ends everyone else's (on the safety
    evaluation report, 安全生产标准化评定报告) to his own (on the quality supervision completion notice,
    工程现场施工质量监督任务完成告知书); elsewhere one stop ends everyone's."""
    if policy.pm_stops_on_quality_notice and position == PROJECT_MANAGER:
        return replace(timeline, attendance_stopped_on=timeline.manager_attendance_stopped_on)
    return timeline


def manager_days(timeline: Timeline, days: list[dt.date], *, grace_days: int) -> list[dt.date]:
    """Managers are held to attendance from the start plus the grace (中山 2019 上线通知 四(一): "拟开工日期
    起10天后开始对施工现场管理人员进行考勤管理")."""
    grace = dt.timedelta(days=grace_days)
    return [day for day in days if day >= timeline.start_on(day) + grace]
