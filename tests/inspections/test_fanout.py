"""The night fanned out per district (inspections.engine.fanout) gives exactly the alerts, verdicts and
presence of the run of the whole day; a part that died mid-way is taken over and run again alone, and
nothing is counted twice; a part whose night was taken over stops."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from attendance.models import DailyPresence, PunchVerdict
from devices.models import Device
from devices.services import device_register
from inspections.engine import RunInProgress, build_context, replacements_switch, rules_judge, rules_run
from inspections.engine.claims import claim_take
from inspections.engine.fanout import Unit, night_close, night_open, night_units, part_run, stage_rules, stage_units
from inspections.models import Alert, NightlyRun
from inspections.tasks import rules_part_task, run_rules_nightly_task
from projects.choices import RegionLevel
from projects.models import Project
from tests.device_client import SignedDevice
from tests.factories import EnterpriseFactory, ProjectFactory, RegionFactory, engage, id_number, participate, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 30)  # a month end: R11 and R16 judge November too


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SH)


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


@pytest.fixture
def three_districts(city, client, settings):
    """Haishu and Jiangbei attend through their gates for a week; a photo is reused across the two
    districts (first in Jiangbei, again in Haishu, last in Jiangbei: the finding is Jiangbei's, one of
    the punches it shows false is Haishu's), Haishu's manager punches on Jiangbei's gate 10 minutes
    after his own (80 km away), Jiangbei's gate switches liveness off, a Haishu face scores low and a
    Haishu punch arrives two days late. Zhenhai has a project without any device. A part per district
    (SMZ_RULES_PART_PROJECTS = 1), so that the photo's districts are judged apart."""
    settings.SMZ_RULES_PART_PROJECTS = 1
    zhenhai = RegionFactory(code="330211", name="镇海区", level=RegionLevel.DISTRICT, parent=city.city)
    ProjectFactory(
        permit_no="330211202609010303", name="镇海炼化配套工程", district=zhenhai, actual_start=dt.date(2026, 11, 1)
    )
    for project in (city.project, city.other_project):
        project.actual_start, project.required_positions = dt.date(2026, 11, 1), ["project_manager"]
        project.save()
    jb_vendor = EnterpriseFactory(name="江北设备", is_contractor=False, is_vendor=True)
    participate(city.other_project, jb_vendor, "vendor")
    gates = {}
    for site, project, vendor, place in (
        ("HS", city.project, city.vendor, (29.87, 121.55)),
        ("JB", city.other_project, jb_vendor, (30.50, 122.20)),
    ):
        secret = device_register(
            user=city.users["city"],
            project=project,
            serial=f"{site}-1",
            vendor=vendor,
            model="m",
            kind="gate",
            connection="direct",
            location="entrance",
        ).secret
        Device.objects.filter(serial=f"{site}-1").update(lat=place[0], lon=place[1])
        gates[site] = SignedDevice(client, f"{site}-1", secret)
    staff = {}
    for n, (key, project, employer, category, position) in enumerate(
        [
            ("HS-M", city.project, city.contractor, "manager", "project_manager"),
            ("HS-1", city.project, city.subcontractor, "worker", ""),
            ("HS-2", city.project, city.subcontractor, "worker", ""),
            ("HS-3", city.project, city.subcontractor, "worker", ""),
            ("JB-M", city.other_project, city.other_contractor, "manager", "project_manager"),
            ("JB-1", city.other_project, city.other_contractor, "worker", ""),
            ("JB-2", city.other_project, city.other_contractor, "worker", ""),
        ]
    ):
        number = id_number("341221", f"19800{(n % 9) + 1}01", 300 + n)
        engage(
            project,
            employer,
            who=person(number, f"人员{n}"),
            category=category,
            position=position,
            entered_on=dt.date(2026, 11, 1),
        )
        staff[key] = number
    for day in range(23, 30):
        for site, gate in gates.items():
            with time_machine.travel(at(day, 9), tick=False):
                gate.heartbeat()
                people = [k for k in staff if k.startswith(site) and (day % 2 or not k.endswith("M"))]
                assert gate.punches([punch(f"{k}-{day}", staff[k], at(day, 7)) for k in people]).status_code == 200
            for minute in (20, 40, 60, 80) if (site, day) == ("HS", 28) else ():  # online around 10:00
                with time_machine.travel(at(day, 9) + dt.timedelta(minutes=minute), tick=False):
                    gate.heartbeat()
    photo = base64.b64encode(b"\xff\xd8\xff\xe0one-photo-on-two-sites").decode()
    with time_machine.travel(at(30, 12), tick=False):
        gates["HS"].heartbeat()
        gates["JB"].heartbeat(liveness_enabled=False)
        assert (
            gates["JB"]
            .punches(
                [
                    punch("JB-1-30", staff["JB-1"], at(30, 7), photo=photo),
                    punch("JB-2-30", staff["JB-2"], at(30, 9), photo=photo),
                    punch("HS-M-JB", staff["HS-M"], at(30, 7, 40)),
                    punch("JB-M-30", staff["JB-M"], at(30, 7)),
                ]
            )
            .status_code
            == 200
        )
        assert (
            gates["HS"]
            .punches(
                [
                    punch("HS-1-30", staff["HS-1"], at(30, 8), photo=photo),
                    punch("HS-M-30", staff["HS-M"], at(30, 7, 30)),
                    punch("HS-2-30", staff["HS-2"], at(30, 7), match_score=0.5),
                    punch("HS-3-late", staff["HS-3"], at(28, 10)),
                ]
            )
            .status_code
            == 200
        )
    return city


class _Rollback(Exception):
    pass


def outcome(run) -> dict:
    """What a night leaves (alerts, verdicts, presence), the night itself rolled back afterwards."""
    result = {}
    try:
        with transaction.atomic(), time_machine.travel(dt.datetime(2026, 12, 1, 1, 30, tzinfo=SH), tick=False):
            run()
            keys = dict(Alert.objects.values_list("pk", "key"))
            result["alerts"] = sorted(
                (
                    a.key,
                    a.rule,
                    a.state,
                    a.project.permit_no,
                    str(a.period_start),
                    str(a.period_end),
                    a.scored,
                    a.subject,
                    json.dumps(a.evidence, sort_keys=True, default=str),
                )
                for a in Alert.objects.select_related("project")
            )
            result["verdicts"] = sorted(
                (v.punch_id, v.rule, v.reason, keys[v.alert_id]) for v in PunchVerdict.objects.all()
            )
            result["presence"] = sorted(
                DailyPresence.objects.values_list(
                    "project_id", "person_id", "day", "punch_count", "valid_count", "photo_count"
                )
            )
            result["night"] = NightlyRun.objects.get(day=DAY, part="").state
            raise _Rollback
    except _Rollback:
        pass
    return result


def test_the_fanned_out_night_gives_exactly_the_alerts_of_the_whole_run(three_districts):
    city = three_districts
    whole = outcome(lambda: rules_run(day=DAY))
    fanned = outcome(lambda: run_rules_nightly_task.delay(DAY.isoformat()))
    assert fanned == whole
    assert whole["night"] == "complete"
    # Not a vacuous equality: the night found plenty, in all three districts, across both stages.
    rules = {a[1] for a in whole["alerts"]}
    assert {"R01", "R04", "R06", "R07", "R09", "R10", "R11", "R13", "R16"} <= rules
    assert {a[3] for a in whole["alerts"]} == {
        city.project.permit_no,
        city.other_project.permit_no,
        "330211202609010303",
    }
    # Jiangbei's R07 finding shows a Haishu punch false, and Haishu's presence of the 30th leaves it out.
    reused = [v for v in whole["verdicts"] if v[1] == "R07" and v[2] == "考勤照片与其他考勤记录重复"]
    assert len(reused) == 2 and all(v[3].startswith(f"R07:{city.other_project.pk}:photo") for v in reused)
    haishu_30 = [p for p in whole["presence"] if p[0] == city.project.pk and p[2] == DAY]
    assert any(p[3] == 1 and p[4] == 0 for p in haishu_30)


def test_the_night_is_a_part_per_district_and_stage_recorded_with_its_rules(three_districts):
    with time_machine.travel(dt.datetime(2026, 12, 1, 1, 30, tzinfo=SH), tick=False):
        assert run_rules_nightly_task.delay(DAY.isoformat()).get() == 3
    parts = dict(NightlyRun.objects.filter(day=DAY).values_list("part", "state"))
    assert parts == {
        "": "complete",
        "1:330203": "complete",
        "1:330205": "complete",
        "1:330211": "complete",
        "1:*": "complete",
        "2:330203": "complete",
        "2:330205": "complete",
        "2:330211": "complete",
    }
    from inspections.models import RuleRun

    stage_one = set(RuleRun.objects.filter(part="1:330205").values_list("rule", flat=True))
    assert stage_one == {"R06", "R08", "R09", "R10", "R13"}
    # R07 reads every project's punches: judged once for the whole day, in a part of its own.
    assert set(RuleRun.objects.filter(part="1:*").values_list("rule", flat=True)) == {"R07"}
    assert RuleRun.objects.filter(part="2:330205").count() == 19  # the other 11 of R01–R17, W1–W7 and C1


def test_a_part_killed_mid_way_is_taken_over_alone_and_nothing_counts_twice(three_districts, settings):
    whole = outcome(lambda: rules_run(day=DAY))
    haishu = next(u for u in night_units() if u.code == "330203")

    def killed_then_retried():
        night = night_open(day=DAY)
        for unit in stage_units(1, night_units()):
            part_run(day=DAY, unit=unit, stage=1, token=night.token)
        # Haishu's stage 2 dies after its first four rules: its row stays 'running', its alerts are written.
        claim = claim_take(day=DAY, part=haishu.part(2), unit_id=haishu.region_id)
        projects = frozenset(Project.objects.filter(district=haishu.region_id).values_list("pk", flat=True))
        ctx = build_context(DAY, project_ids=projects, unit_projects=projects)
        rules_judge(stage_rules(2)[:4], ctx, now=timezone.now(), claims=[claim], part=haishu.part(2))
        stale = timezone.now() - dt.timedelta(seconds=settings.SMZ_RULES_RUN_LEASE_SECONDS + 1)
        NightlyRun.objects.filter(day=DAY).exclude(state="complete").update(heartbeat_at=stale)
        # While its lease runs, the part is not run twice at once.
        NightlyRun.objects.filter(day=DAY, part=haishu.part(2)).update(heartbeat_at=timezone.now())
        with pytest.raises(RunInProgress):
            rules_part_task.delay(DAY.isoformat(), haishu.region_id, haishu.code, 2, night.token).get()
        NightlyRun.objects.filter(day=DAY, part=haishu.part(2)).update(heartbeat_at=stale)
        # The watchdog's retry takes the night over: only what is not complete runs again.
        run_rules_nightly_task.delay(DAY.isoformat())
        attempts = dict(NightlyRun.objects.filter(day=DAY).values_list("part", "attempts"))
        assert attempts == {
            "": 2,
            "1:330203": 1,
            "1:330205": 1,
            "1:330211": 1,
            "1:*": 1,
            "2:330203": 2,
            "2:330205": 1,
            "2:330211": 1,
        }

    retried = outcome(killed_then_retried)
    assert retried == whole
    assert len({a[0] for a in retried["alerts"]}) == len(retried["alerts"])  # no alert twice


def test_a_part_of_a_night_taken_over_stops_and_the_old_close_changes_nothing(three_districts):
    with time_machine.travel(dt.datetime(2026, 12, 1, 1, 30, tzinfo=SH), tick=False):
        old = night_open(day=DAY)
        NightlyRun.objects.filter(day=DAY, part="").update(state="failed")
        new = night_open(day=DAY)
        unit = night_units()[0]
        assert rules_part_task.delay(DAY.isoformat(), unit.region_id, unit.code, 1, old.token).get() == 0
        assert not NightlyRun.objects.filter(day=DAY).exclude(part="").exists()
        from inspections.tasks import rules_night_close_task

        assert rules_night_close_task.delay(DAY.isoformat(), old.token, []).get() == "superseded"
        # The new attempt's close with a part missing marks the night failed, for the watchdog.
        assert not night_close(day=DAY, token=new.token, parts=[unit.part(1)])
        night = NightlyRun.objects.get(day=DAY, part="")
        assert night.state == "failed" and "1:330203" in night.error


def test_a_night_run_again_after_it_completed_starts_afresh(three_districts):
    with time_machine.travel(dt.datetime(2026, 12, 1, 1, 30, tzinfo=SH), tick=False):
        run_rules_nightly_task.delay(DAY.isoformat())
        again = night_open(day=DAY)  # by hand: a complete night's parts do not stand for the new run
        assert not NightlyRun.objects.filter(day=DAY).exclude(part="").exists()
        for unit in night_units():
            assert part_run(day=DAY, unit=unit, stage=1, token=again.token)
        assert replacements_switch(day=DAY, project_ids=[]) == 0


def test_the_parts_are_the_cities_and_a_big_citys_groups_of_districts(three_districts, settings):
    assert [u.code for u in night_units()] == ["330203", "330205", "330211"]
    assert Unit(1, "330203").part(2) == "2:330203"
    settings.SMZ_RULES_PART_PROJECTS = 1000  # the default: Ningbo's three projects are one part
    [whole] = night_units()
    assert (whole.code, whole.region_id, len(whole.districts)) == ("330200", three_districts.city.pk, 3)
    settings.SMZ_RULES_PART_PROJECTS = 2  # Haishu and Jiangbei together reach 2; Zhenhai alone
    assert [(u.code, len(u.districts)) for u in night_units()] == [("330203-330205", 2), ("330211", 1)]
    with time_machine.travel(dt.datetime(2026, 12, 1, 1, 30, tzinfo=SH), tick=False):
        run_rules_nightly_task.delay(DAY.isoformat())
    assert set(NightlyRun.objects.filter(day=DAY).values_list("part", "state")) == {
        ("", "complete"),
        ("1:330203-330205", "complete"),
        ("1:330211", "complete"),
        ("1:*", "complete"),
        ("2:330203-330205", "complete"),
        ("2:330211", "complete"),
    }
