"""Rules fed by what devices really sent: heartbeats, punches and silence, night after night."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from devices.services import devices_sweep_offline
from inspections.engine import rules_run
from inspections.models import Alert
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=SH)


@pytest.fixture
def site(city, gate):
    worker = id_number("341221", "19800315", 417)
    engage(city.project, city.subcontractor, who=person(worker, "陈大勇"), entered_on=dt.date(2026, 10, 1))
    return worker


def punch(record_id, number, when, **extra):
    return {
        "record_id": record_id,
        "id_number": number,
        "punched_at": when.isoformat(),
        "direction": "in",
        "method": "face",
        "liveness": True,
        **extra,
    }


def nightly(day: int) -> None:
    with time_machine.travel(at(day + 1, 1), tick=False):
        devices_sweep_offline(now=at(day + 1, 1))
        rules_run(day=dt.date(2026, 11, day))


def test_a_silent_site_raises_one_r12_alert_that_grows_then_resolves(city, gate, site):
    with time_machine.travel(at(10), tick=False):
        gate.heartbeat()
        gate.punches([punch("P-10", site, at(10))])
    for day in range(10, 17):  # silent from the 11th
        nightly(day)
    streak = Alert.objects.get(rule="R12", project=city.project, subject_code="workers")
    assert (streak.period_start, streak.period_end, streak.state) == (
        dt.date(2026, 11, 11),
        dt.date(2026, 11, 16),
        "open",
    )
    assert len(streak.evidence["empty_construction_days"]) == 6
    with time_machine.travel(at(17), tick=False):
        gate.heartbeat()
        gate.punches([punch("P-17", site, at(17))])
    nightly(17)
    streak.refresh_from_db()
    assert streak.state == "resolved"
    assert Alert.objects.filter(rule="R12", project=city.project, subject_code="workers").count() == 1


def test_three_silent_days_raise_nothing(city, gate, site):
    with time_machine.travel(at(10), tick=False):
        gate.heartbeat()
        gate.punches([punch("P-10", site, at(10))])
    for day in range(10, 14):
        nightly(day)
    assert not Alert.objects.filter(rule="R12", project=city.project, subject_code="workers").exists()
    nightly(14)
    assert Alert.objects.filter(rule="R12", project=city.project, subject_code="workers").exists()


def test_a_device_silent_for_a_day_and_more_fires_r03_once(city, gate, site):
    with time_machine.travel(at(10, 9), tick=False):
        gate.heartbeat()
    for day in range(10, 14):
        nightly(day)
    offline = Alert.objects.filter(rule="R03")
    assert [(a.subject, a.state) for a in offline] == [(gate.serial, "open")]
    # First found on the 11th (more than 24 h after 09:00 on the 10th); the same alert goes on to the 13th.
    assert (offline[0].period_start, offline[0].period_end) == (dt.date(2026, 11, 11), dt.date(2026, 11, 13))


def test_liveness_switched_off_and_unapproved_mobile_punches(city, gate, site):
    with time_machine.travel(at(20), tick=False):
        gate.heartbeat(liveness_enabled=False)
        gate.punches([punch("M-1", site, at(20), method="mobile", lat=29.86, lon=121.54)])
    nightly(20)
    assert [a.subject for a in Alert.objects.filter(rule="R06")] == [gate.serial]
    assert [a.project_id for a in Alert.objects.filter(rule="R08")] == [city.project.pk]


def test_unregistered_people_low_scores_and_a_reused_photo(city, gate, site):
    import base64

    stranger = id_number("511321", "19750101", 88)
    photo = base64.b64encode(b"\xff\xd8\xff\xe0same-photo-bytes").decode()
    with time_machine.travel(at(20, 9), tick=False):
        gate.heartbeat()
        gate.punches(
            [
                punch("U-1", stranger, at(20)),
                punch("S-1", site, at(20, 7), match_score=0.61, photo=photo),
                punch("S-2", site, at(20, 8), photo=photo),
            ]
        )
    nightly(20)
    r04 = {a.subject_type: a for a in Alert.objects.filter(rule="R04", project=city.project)}
    assert r04["project"].evidence["punches"] == 1
    assert r04["position"].subject in {"项目经理（无人进场登记）", "总监理工程师（无人进场登记）"}
    assert r04["position"].subject_code in {"project_manager", "chief_supervisor"}
    assert Alert.objects.get(rule="R09").evidence["count"] == 1
    assert len(Alert.objects.get(rule="R07").evidence["punches"]) == 2


def test_back_filled_punches_fire_r13_unless_the_device_was_offline_then(city, gate, site):
    with time_machine.travel(at(10, 9), tick=False):
        gate.heartbeat()
    with time_machine.travel(at(15, 9), tick=False):
        devices_sweep_offline(now=at(15, 9))  # offline since the 10th, 09:00
        gate.heartbeat()  # back, flushing its backlog
        gate.punches([punch("B-1", site, at(12))])  # made while it was offline: not R13
    for minutes in (20, 40, 60, 80):  # heartbeats every 20 minutes: in contact when B-2 was made at 10:00
        with time_machine.travel(at(15, 9) + dt.timedelta(minutes=minutes), tick=False):
            gate.heartbeat()
    with time_machine.travel(at(18, 9), tick=False):
        gate.punches([punch("B-2", site, at(15, 10))])  # made while online, sent 71 h later: R13
    nightly(18)
    r13 = Alert.objects.get(rule="R13")
    assert r13.subject == gate.serial and r13.evidence["count"] == 1


def test_r13_fires_past_the_policys_limit_exactly_48_hours_late_does_not(city, gate, site):
    with time_machine.travel(at(18, 9), tick=False):
        gate.heartbeat()
        gate.punches(
            [
                punch("D-1", site, at(16, 9) - dt.timedelta(seconds=1)),  # 48 hours and a second late
                punch("D-2", site, at(16, 9)),  # exactly 48 hours late
            ]
        )
    nightly(18)
    assert Alert.objects.get(rule="R13").evidence["count"] == 1


def test_a_lowered_r13_limit_takes_effect_for_punches_under_48_hours_late(city, gate, site):
    from inspections.models import Policy

    Policy.objects.filter(district__isnull=True, in_force=True).update(r13_late_hours=24)
    with time_machine.travel(at(18, 9), tick=False):
        gate.heartbeat()
        gate.punches([punch("D-30", site, at(17, 3))])  # 30 hours late: under 48, over the city's 24
    nightly(18)
    assert Alert.objects.get(rule="R13").evidence == {
        "punches": [Alert.objects.get(rule="R13").evidence["punches"][0]],
        "count": 1,
        "longest_delay_hours": 30.0,
        "limit_hours": 24,
    }


def test_r09_fires_below_the_policys_minimum_and_the_minimum_itself_passes(city, gate, site):
    with time_machine.travel(at(20, 9), tick=False):
        gate.heartbeat()
        gate.punches([punch("S-1", site, at(20, 7), match_score=0.79), punch("S-2", site, at(20, 8), match_score=0.80)])
    nightly(20)
    assert Alert.objects.get(rule="R09").evidence["count"] == 1
    assert Alert.objects.get(rule="R09").evidence["lowest"] == 0.79


def test_an_export_without_a_grant_fires_r14_and_with_one_does_not(city, site):
    from inspections.models import ExportGrant
    from smz_platform.common.audit import audit_event_record
    from smz_platform.common.models import AuditAction

    with time_machine.travel(at(20, 15), tick=False):
        audit_event_record(
            user=city.users["contractor"],
            action=AuditAction.EXPORT,
            what="project ledger",
            record_count=120,
            project_permit_no=city.project.permit_no,
        )
        audit_event_record(
            user=city.users["subcontractor"],
            action=AuditAction.EXPORT,
            what="project ledger",
            record_count=120,
            project_permit_no=city.project.permit_no,
        )
    ExportGrant.objects.create(
        user=city.users["subcontractor"],
        purpose="工资核算",
        valid_from=dt.date(2026, 11, 1),
        valid_to=dt.date(2026, 11, 30),
        approved_by=city.users["city"],
    )
    nightly(20)
    assert [a.evidence["user"] for a in Alert.objects.filter(rule="R14")] == ["contractor"]


def test_a_person_on_two_distant_sites_within_the_hour_fires_r07(city, gate, site, client):
    from devices.models import Device
    from devices.services import device_register
    from tests.device_client import SignedDevice

    Device.objects.filter(serial=gate.serial).update(lat=29.8683, lon=121.5440)  # Ningbo
    far = device_register(
        user=city.users["city"],
        project=city.project,
        serial="HZ-1",
        vendor=city.vendor,
        model="m",
        kind="gate",
        connection="direct",
        location="entrance",
        lat=30.2741,
        lon=120.1551,
    )  # Hangzhou, about 143 km away
    other = SignedDevice(client, "HZ-1", far.secret)
    with time_machine.travel(at(20, 12), tick=False):
        gate.punches([punch("N-1", site, at(20, 8))])
        other.punches([punch("H-1", site, at(20, 9))])  # an hour later: 143 km/h
        gate.punches([punch("N-2", site, at(20, 11))])  # two hours back: 72 km/h, possible
    nightly(20)
    hops = [a for a in Alert.objects.filter(rule="R07") if a.subject_type == "person"]
    assert len(hops) == 1 and hops[0].evidence["speed_kmh"] > 120


def test_punches_held_back_past_the_devices_return_are_back_filled_however_offline_it_was(city, gate, site):
    """甬建函〔2023〕82号 三(十三): "补传历史考勤数据" is found. A backlog is what a device flushes when it comes
    back; a contractor whose gate is silent every morning from 07:00 to 08:30 (swept offline in between)
    does not get punches "made" at 07:55 of earlier days excused by sending them weeks later, while the
    gate has been in contact every day since. A real outage's backlog, flushed on return, stays excused."""
    for day in range(2, 7):  # every morning: a heartbeat at 07:00, silence, the sweep, contact again at 08:30
        with time_machine.travel(at(day, 7), tick=False):
            gate.heartbeat()
        with time_machine.travel(at(day, 8) + dt.timedelta(minutes=5), tick=False):
            devices_sweep_offline(now=at(day, 8) + dt.timedelta(minutes=5))
        with time_machine.travel(at(day, 8) + dt.timedelta(minutes=30), tick=False):
            gate.heartbeat()
    with time_machine.travel(at(20, 9), tick=False):  # weeks later, in contact every day since
        gate.heartbeat()
        gate.punches([punch(f"H-{day}", site, at(day, 7) + dt.timedelta(minutes=55)) for day in range(2, 7)])
    nightly(20)
    r13 = Alert.objects.get(rule="R13")
    assert r13.evidence["count"] == 5  # every one of them: none was flushed on its device's return

    # A real outage: offline from the 21st at 09:00 to the 24th at 09:00, its punches flushed on return.
    with time_machine.travel(at(21, 9), tick=False):
        gate.heartbeat()
    with time_machine.travel(at(22, 9), tick=False):
        devices_sweep_offline(now=at(22, 9))
    with time_machine.travel(at(24, 9), tick=False):
        gate.heartbeat()
        gate.punches([punch("O-21", site, at(21, 10))])  # 71 hours late, made while offline: a backlog
    nightly(24)
    assert not Alert.objects.filter(rule="R13", last_seen__gte=at(24, 9)).exclude(pk=r13.pk).exists()
    assert Alert.objects.filter(rule="R13").count() == 1
