"""Monthly presence arithmetic (R11 and R16 read it): pure, exact at the thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from inspections.presence import Staff, manager_presence, passes, worker_presence

D = dt.date
DAYS = [D(2026, 10, 1) + dt.timedelta(days=n) for n in range(31)]
SEPTEMBER_1 = D(2026, 9, 1)


def staff(attended_days, position="project_manager", entered=SEPTEMBER_1, exited=None, engagement=1):
    return Staff(
        engagement=engagement,
        name="王建国",
        id_number="330203********1236",
        position=position,
        entered_on=entered,
        exited_on=exited,
        attended=frozenset(attended_days),
    )


def test_exactly_80_percent_passes_and_79_9_fails():
    assert passes(800, 1000, Decimal("0.800"))
    assert not passes(799, 1000, Decimal("0.800"))
    assert passes(4, 5, Decimal("0.8")) and not passes(3, 5, Decimal("0.8"))


def test_a_project_manager_is_held_to_80_and_a_safety_officer_to_70():
    attended = DAYS[:23]  # 23 of 31 = 74.2%
    kwargs = {
        "key_positions": ["project_manager", "chief_supervisor"],
        "key_ratio": Decimal("0.8"),
        "other_ratio": Decimal("0.7"),
    }
    manager = manager_presence(staff(attended), DAYS, **kwargs)
    officer = manager_presence(staff(attended, position="safety_officer"), DAYS, **kwargs)
    assert (manager.attended_days, manager.construction_days, manager.ratio) == (23, 31, 0.742)
    assert (manager.threshold, manager.passed) == (0.8, False)
    assert (officer.threshold, officer.passed) == (0.7, True)


def test_a_manager_who_entered_mid_month_is_judged_on_his_days():
    late = staff(DAYS[20:], entered=D(2026, 10, 21))
    result = manager_presence(
        late, DAYS, key_positions=["project_manager"], key_ratio=Decimal("0.8"), other_ratio=Decimal("0.7")
    )
    assert (result.attended_days, result.construction_days, result.passed) == (11, 11, True)


def test_no_construction_days_passes_with_no_ratio():
    result = manager_presence(staff([]), [], key_positions=[], key_ratio=Decimal("0.8"), other_ratio=Decimal("0.7"))
    assert (result.ratio, result.passed) == (None, True)


def test_the_workers_rate_is_the_mean_of_the_daily_rates():
    # Two workers: one every day, one on the first 10 days only; the second leaves on 10 October.
    workers = [staff(DAYS, engagement=1), staff(DAYS[:10], engagement=2, exited=D(2026, 10, 10))]
    result = worker_presence(workers, DAYS, threshold=Decimal("0.8"))
    assert (result.engaged, result.attended_person_days, result.rate, result.passed) == (2, 41, 1.0, True)
    absent = [staff(DAYS, engagement=1), staff(DAYS[:10], engagement=2)]
    result = worker_presence(absent, DAYS, threshold=Decimal("0.8"))
    # 10 days at 2/2 and 21 days at 1/2: (10 + 10.5) / 31 = 0.661.
    assert (result.rate, result.passed) == (0.661, False)
