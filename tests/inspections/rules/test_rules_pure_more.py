"""R04, R07, R09, R10, R13, R14 as pure functions: fires, does not, boundary."""

from __future__ import annotations

import datetime as dt

from inspections.rules import (
    r04_unregistered,
    r07_forgery,
    r09_low_score,
    r10_manager_elsewhere,
    r13_backfilled,
    r14_unapproved_export,
)

D = dt.date
SH = dt.timezone(dt.timedelta(hours=8))
DAY = D(2026, 11, 24)


def t(hour, minute=0, day=24):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SH)


def test_r04_names_each_gap():
    project = r04_unregistered.Registration(
        1,
        "工程",
        ("project_manager", "chief_supervisor"),
        frozenset({"project_manager"}),
        ((10, "某劳务公司", 0), (11, "某监理公司", 3)),
        2,
        ("341221********4171",),
    )
    findings = r04_unregistered.evaluate([project], day=DAY, positions={"chief_supervisor": "总监理工程师"})
    assert sorted((f.subject_type, f.subject) for f in findings) == [
        ("enterprise", "某劳务公司"),
        ("position", "总监理工程师（无人进场登记）"),
        ("project", "工程（未登记人员考勤）"),
    ]
    assert [f.subject_code for f in findings if f.subject_type == "position"] == ["chief_supervisor"]
    complete = r04_unregistered.Registration(
        1, "工程", ("project_manager",), frozenset({"project_manager"}), ((11, "某监理公司", 3),), 0
    )
    assert r04_unregistered.evaluate([complete], day=DAY) == []


def test_r07_a_photo_used_twice_fires_once_and_a_unique_one_does_not():
    shared = r07_forgery.SharedPhoto(1, "ab" * 32, (5, 9), ("330203********1236",))
    single = r07_forgery.SharedPhoto(1, "cd" * 32, (6,), ("330203********1236",))
    findings = r07_forgery.evaluate([shared, single], [], day=DAY, max_speed_kmh=120)
    assert [f.evidence["punches"] for f in findings] == [[5, 9]]


def test_r07_two_sites_apart_faster_than_120_kmh_fire():
    ningbo, hangzhou = (29.8683, 121.5440), (30.2741, 120.1551)  # about 143 km apart
    too_fast = r07_forgery.Hop(1, 7, "王建国", t(8, 0), t(9, 0), ningbo, hangzhou)  # ~143 km/h
    possible = r07_forgery.Hop(1, 7, "王建国", t(8, 0), t(9, 30), ningbo, hangzhou)  # ~95 km/h
    assert 140 < r07_forgery.distance_km(ningbo, hangzhou) < 146
    assert len(r07_forgery.evaluate([], [too_fast], day=DAY, max_speed_kmh=120)) == 1
    assert r07_forgery.evaluate([], [possible], day=DAY, max_speed_kmh=120) == []


def test_r09_the_minimum_score_itself_passes():
    scores = r09_low_score.Scores(1, "工程", ((1, 0.80), (2, 0.95)))
    assert r09_low_score.evaluate([scores], day=DAY, min_score=0.80) == []
    low = r09_low_score.Scores(1, "工程", ((1, 0.799), (2, 0.95)))
    finding = r09_low_score.evaluate([low], day=DAY, min_score=0.80)[0]
    assert (finding.evidence["count"], finding.evidence["lowest"]) == (1, 0.799)


def test_r10_another_projects_device_an_outside_device_and_a_mobile_punch_outside_the_fence():
    site = (29.8683, 121.5440)
    fence = (*site, 300)
    other_project = r10_manager_elsewhere.ManagerPunch(1, 7, "王建国（项目经理）", 100, 2, "entrance")
    outside = r10_manager_elsewhere.ManagerPunch(1, 7, "王建国（项目经理）", 101, 1, "other")
    far = r10_manager_elsewhere.ManagerPunch(1, 7, "王建国（项目经理）", 102, 1, "entrance", (29.8783, 121.5440), fence)
    near = r10_manager_elsewhere.ManagerPunch(
        1, 7, "王建国（项目经理）", 103, 1, "entrance", (29.8693, 121.5440), fence
    )
    finding = r10_manager_elsewhere.evaluate([other_project, outside, far, near], day=DAY)
    assert len(finding) == 1 and finding[0].project_id == 1
    assert [p["punch"] for p in finding[0].evidence["punches"]] == [100, 101, 102]


def test_r13_48_hours_late_passes_just_over_fires_unless_the_device_was_offline():
    received = t(10, 0)

    def late(delay, offline=False, punch_id=1):
        return r13_backfilled.LatePunch(1, 5, "SN-5", punch_id, received - delay, received, backlog=offline)

    assert r13_backfilled.evaluate([late(dt.timedelta(hours=48))], day=DAY, limit_hours=48) == []
    assert len(r13_backfilled.evaluate([late(dt.timedelta(hours=48, seconds=1))], day=DAY, limit_hours=48)) == 1
    assert r13_backfilled.evaluate([late(dt.timedelta(hours=72), offline=True)], day=DAY, limit_hours=48) == []


def test_r14_an_export_without_a_grant_fires():
    released = r14_unapproved_export.DataRelease(3, 1, 9, "zhang", "ledger export", 250, t(15), granted=False)
    granted = r14_unapproved_export.DataRelease(4, 1, 9, "zhang", "ledger export", 250, t(16), granted=True)
    assert [f.subject_id for f in r14_unapproved_export.evaluate([released, granted], day=DAY)] == [3]
