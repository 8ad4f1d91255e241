"""The construction-day calendar (施工日): pure, no database."""

from __future__ import annotations

import datetime as dt

from inspections.calendar import Timeline, construction_days, manager_days, month_days

D = dt.date
OCTOBER = month_days(D(2026, 10, 1))
NOVEMBER = month_days(D(2026, 11, 1))


def test_a_month_has_its_calendar_days_and_stops_at_today():
    assert len(OCTOBER) == 31 and OCTOBER[0] == D(2026, 10, 1) and OCTOBER[-1] == D(2026, 10, 31)
    assert month_days(D(2026, 11, 1), until=D(2026, 11, 24))[-1] == D(2026, 11, 24)
    assert len(month_days(D(2028, 2, 1))) == 29


def test_every_day_from_the_permits_planned_start_counts_whatever_the_actual_start():
    # 中山 2019 上线通知 三(六)1–2: the start is the permit's planned start; reporting a later actual start
    # excuses nothing (only an approved start-date change moves it).
    timeline = Timeline(planned_start=D(2026, 9, 1), actual_start=D(2026, 10, 10))
    days = construction_days(timeline, OCTOBER)
    assert days[0] == D(2026, 10, 1) and len(days) == 31


def test_a_project_whose_planned_start_has_not_come_has_none():
    assert construction_days(Timeline(planned_start=D(2026, 11, 1), actual_start=None), OCTOBER) == []
    # Never reporting the start does not keep a project out of its construction days.
    assert len(construction_days(Timeline(planned_start=D(2026, 9, 1), actual_start=None), OCTOBER)) == 31


def test_an_approved_start_date_change_moves_the_start_from_the_day_it_takes_effect():
    # Planned for 1 October; a change to 15 October approved on 10 October: 1–9 October stay construction
    # days (the change was filed late), 10–14 October are not, from the 15th they are again.
    timeline = Timeline(planned_start=D(2026, 10, 1), start_changes=((D(2026, 10, 10), D(2026, 10, 15)),))
    days = construction_days(timeline, OCTOBER)
    assert days[:9] == OCTOBER[:9] and D(2026, 10, 10) not in days and D(2026, 10, 14) not in days
    assert days[9] == D(2026, 10, 15) and len(days) == 9 + 17


def test_suspension_completion_and_stopped_attendance_are_excluded():
    timeline = Timeline(
        planned_start=D(2026, 9, 1),
        actual_start=D(2026, 9, 1),
        suspensions=((D(2026, 11, 10), D(2026, 11, 20)),),
        attendance_stopped_on=D(2026, 11, 28),
    )
    days = construction_days(timeline, NOVEMBER)
    assert D(2026, 11, 9) in days and D(2026, 11, 10) not in days and D(2026, 11, 19) not in days
    assert D(2026, 11, 20) in days and D(2026, 11, 27) in days and D(2026, 11, 28) not in days
    assert len(days) == 9 + 8
    completed = Timeline(planned_start=D(2026, 9, 1), actual_start=D(2026, 9, 1), completed_on=D(2026, 11, 5))
    assert construction_days(completed, NOVEMBER)[-1] == D(2026, 11, 4)


def test_an_open_suspension_runs_to_the_end():
    timeline = Timeline(planned_start=D(2026, 9, 1), actual_start=D(2026, 9, 1), suspensions=((D(2026, 11, 10), None),))
    assert construction_days(timeline, NOVEMBER)[-1] == D(2026, 11, 9)


def test_a_policy_may_leave_out_sundays_and_statutory_holidays():
    timeline = Timeline(planned_start=D(2026, 9, 1), actual_start=D(2026, 9, 1))
    days = construction_days(timeline, OCTOBER, count_sundays=False, count_holidays=False)
    # National Day week 1–8 October 2026 is off; October has four Sundays, one of them (4 Oct) in it.
    assert D(2026, 10, 1) not in days and D(2026, 10, 18) not in days
    assert D(2026, 10, 9) in days


def test_a_sunday_swapped_into_a_workday_counts():
    # 4 January 2026 is a Sunday worked in exchange for the New Year day off on 2 January.
    january = month_days(D(2026, 1, 1))
    timeline = Timeline(planned_start=D(2025, 9, 1), actual_start=D(2025, 9, 1))
    days = construction_days(timeline, january, count_sundays=False, count_holidays=False)
    assert D(2026, 1, 4) in days
    assert D(2026, 1, 2) not in days and D(2026, 1, 11) not in days


def test_managers_are_held_from_the_planned_start_plus_the_grace():
    timeline = Timeline(planned_start=D(2026, 10, 5), actual_start=D(2026, 10, 1))
    days = construction_days(timeline, OCTOBER)
    held = manager_days(timeline, days, grace_days=10)
    assert held[0] == D(2026, 10, 15) and len(held) == 17
