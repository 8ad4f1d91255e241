"""Each rule as a pure function: a case that fires, one that does not, and the boundary. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from inspections.rules import (
    r01_no_device,
    r02_not_direct,
    r03_offline,
    r05_unapproved_status,
    r06_liveness_off,
    r08_mobile_unapproved,
    r11_manager_absent,
    r12_silent_days,
    r16_worker_rate,
)

D = dt.date
SH = dt.timezone(dt.timedelta(hours=8))
DAY = D(2026, 11, 24)
START, END = dt.datetime(2026, 11, 24, tzinfo=SH), dt.datetime(2026, 11, 25, tzinfo=SH)


def test_r01_fires_without_a_device_after_the_grace():
    project = r01_no_device.ProjectDevices(1, "工程", D(2026, 11, 20), 0)
    assert [f.rule for f in r01_no_device.evaluate([project], day=DAY, grace_days=0)] == ["R01"]
    # The boundary: with a grace of N days the rule fires from the Nth day after the actual start.
    assert len(r01_no_device.evaluate([project], day=DAY, grace_days=4)) == 1
    assert r01_no_device.evaluate([project], day=DAY, grace_days=5) == []
    with_device = r01_no_device.ProjectDevices(1, "工程", D(2026, 11, 20), 1)
    assert r01_no_device.evaluate([with_device], day=DAY, grace_days=0) == []


def test_r02_fires_for_a_platform_device_without_a_permit_covering_the_day():
    device = r02_not_direct.PlatformDevice(5, "SN-5", 1, 9, "某平台")
    assert r02_not_direct.evaluate([device], day=DAY)[0].subject == "SN-5"
    covered = r02_not_direct.PlatformDevice(5, "SN-5", 1, 9, "某平台", ((D(2026, 11, 1), DAY),))
    assert r02_not_direct.evaluate([covered], day=DAY) == []
    expired = r02_not_direct.PlatformDevice(5, "SN-5", 1, 9, "某平台", ((D(2026, 11, 1), D(2026, 11, 23)),))
    assert len(r02_not_direct.evaluate([expired], day=DAY)) == 1


def test_r03_fires_past_24_hours_of_silence_and_not_at_exactly_24():
    def silence(since, until):
        return r03_offline.Silence(5, "SN-5", 1, since, until)

    since = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    exactly = silence(since, since + dt.timedelta(hours=24))
    just_over = silence(since, since + dt.timedelta(hours=24, seconds=1))
    still = silence(since, None)
    short = silence(since, since + dt.timedelta(hours=5))
    kwargs = {"day_start": START, "day_end": END, "limit_hours": 24}
    assert r03_offline.evaluate([exactly], **kwargs) == []
    assert len(r03_offline.evaluate([just_over], **kwargs)) == 1
    assert len(r03_offline.evaluate([still], **kwargs)) == 1
    assert r03_offline.evaluate([short], **kwargs) == []
    # A silence that began late in the day only passes 24 h the next day.
    late = silence(dt.datetime(2026, 11, 24, 8, 0, tzinfo=SH), None)
    assert r03_offline.evaluate([late], **kwargs) == []


def test_r05_fires_for_a_change_without_a_request():
    change = r05_unapproved_status.StatusChange(
        3, 1, "status", "active", "completed", dt.datetime(2026, 11, 24, 9, tzinfo=SH), "admin", None
    )
    approved = r05_unapproved_status.StatusChange(
        4, 1, "status", "active", "suspended", dt.datetime(2026, 11, 24, 9, tzinfo=SH), "city", 12
    )
    findings = r05_unapproved_status.evaluate([change, approved], day=DAY)
    assert [f.subject_id for f in findings] == [3]
    assert findings[0].evidence["new_value"] == "completed"


def test_r06_fires_for_liveness_off_or_unchecked_punches():
    off = r06_liveness_off.DeviceLiveness(5, "SN-5", 1, True, 0)
    unchecked = r06_liveness_off.DeviceLiveness(6, "SN-6", 1, False, 3)
    fine = r06_liveness_off.DeviceLiveness(7, "SN-7", 1, False, 0)
    assert [f.subject for f in r06_liveness_off.evaluate([off, unchecked, fine], day=DAY)] == ["SN-5", "SN-6"]


def test_r08_fires_for_mobile_punches_without_a_permit():
    without = r08_mobile_unapproved.MobilePunches(1, "工程", 4)
    permitted = r08_mobile_unapproved.MobilePunches(1, "工程", 4, ((D(2026, 11, 1), None),))
    none = r08_mobile_unapproved.MobilePunches(1, "工程", 0)
    assert len(r08_mobile_unapproved.evaluate([without], day=DAY)) == 1
    assert r08_mobile_unapproved.evaluate([permitted, none], day=DAY) == []


MANAGER_THRESHOLDS = {
    "key_positions": ["project_manager", "chief_supervisor"],
    "key_ratio": Decimal("0.800"),
    "other_ratio": Decimal("0.700"),
}


def manager(attended, required, position="project_manager"):
    return r11_manager_absent.ManagerDays(7, "王建国", "330203********1236", position, attended, required)


def test_r11_exactly_80_percent_passes_and_79_9_fails():
    month, last = D(2026, 10, 1), D(2026, 10, 31)
    assert r11_manager_absent.evaluate(1, [manager(800, 1000)], month=month, last_day=last, **MANAGER_THRESHOLDS) == []
    findings = r11_manager_absent.evaluate(1, [manager(799, 1000)], month=month, last_day=last, **MANAGER_THRESHOLDS)
    assert len(findings) == 1 and findings[0].period_key == "2026-10"
    assert findings[0].evidence["ratio"] == 0.799
    # Other managers are held to 70%: 700 of 1000 passes, 699 does not.
    other = [manager(700, 1000, "safety_officer"), manager(699, 1000, "technical_lead")]
    assert [
        f.evidence["position"]
        for f in r11_manager_absent.evaluate(1, other, month=month, last_day=last, **MANAGER_THRESHOLDS)
    ] == ["technical_lead"]


def test_r16_fires_below_the_workers_threshold():
    month, last = D(2026, 10, 1), D(2026, 10, 31)
    # 20 workers: 12 attended on each of 31 days (60%) is below 80%; 17 a day (85%) is not.
    low = r16_worker_rate.evaluate(1, "工程", [(12, 20)] * 31, 20, threshold=Decimal("0.8"), month=month, last_day=last)
    assert len(low) == 1 and low[0].evidence["rate"] == 0.6
    assert (
        r16_worker_rate.evaluate(1, "工程", [(17, 20)] * 31, 20, threshold=Decimal("0.8"), month=month, last_day=last)
        == []
    )
    # Exactly 80%: the threshold itself passes.
    assert (
        r16_worker_rate.evaluate(1, "工程", [(16, 20)] * 31, 20, threshold=Decimal("0.8"), month=month, last_day=last)
        == []
    )


def test_r12_three_silent_days_pass_and_four_fire_covering_the_streak():
    three = r12_silent_days.Streak(1, "工程", "workers", (D(2026, 11, 22), D(2026, 11, 23), DAY))
    four = r12_silent_days.Streak(1, "工程", "workers", (D(2026, 11, 21), D(2026, 11, 22), D(2026, 11, 23), DAY))
    assert r12_silent_days.evaluate([three], min_days=4) == []
    finding = r12_silent_days.evaluate([four], min_days=4)[0]
    assert (finding.period_start, finding.period_end) == (D(2026, 11, 21), DAY)
    # The next day's longer streak has the same key: it extends the same alert.
    longer = r12_silent_days.Streak(1, "工程", "workers", (*four.empty_days, D(2026, 11, 25)))
    assert r12_silent_days.evaluate([longer], min_days=4)[0].key == finding.key
