"""The notices' figures hold against a contractor or vendor who games them, each attempt made through the
public API (device punches, status requests, exits, dismissals, downloads) the way they would make it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from inspections.engine import rules_run
from inspections.models import Alert, CreditRecord, Measure, Policy
from inspections.services.cases import case_open
from inspections.services.escalation import measures_escalate
from inspections.services.measures import MeasureIn, measure_issue
from projects.models import Project
from tests.factories import ProjectFactory, engage, id_number, participate, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def punch(record_id, number, when, **extra):
    return {
        "record_id": record_id,
        "id_number": number,
        "punched_at": when.isoformat(),
        "direction": "in",
        "method": "face",
        "liveness": True,
        "match_score": 0.93,
        **extra,
    }


def nights(first: dt.date, last: dt.date) -> None:
    day = first
    while day <= last:
        with time_machine.travel(
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1, 30), tzinfo=SH), tick=False
        ):
            rules_run(day=day)
        day += dt.timedelta(days=1)


def annex1_rows(client, district: str, start: str, end: str) -> dict[int, int]:
    response = client.get(f"/reports/annex1.xlsx?district={district}&from={start}&to={end}")
    assert response.status_code == 200, response.content[:300]
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [r for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    return {r[0]: r[2] for r in rows}


@pytest.fixture
def manager(city):
    """The project manager of Haishu's project (the permit requires the position)."""
    number = id_number("330203", "19750101", 11)
    engage(
        city.project,
        city.contractor,
        who=person(number, "王建国"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2026, 9, 1),
    )
    return number


# --- The start is the permit's ---------------------------------------------------------------------------


def test_a_site_that_never_reports_its_start_is_judged_from_the_permits_planned_start(city):
    body = {
        "permit_no": "330203202610010009",
        "name": "海曙未报开工工程",
        "district": "330203",
        "kind": "building",
        "building_area_m2": 12000,
        "contract_cost_yuan": 50000000,
        "planned_start": "2026-10-01",
        "participants": [{"uscc": city.contractor.uscc, "role": "contractor"}],
        "required_positions": ["project_manager"],
    }
    with time_machine.travel(at(9, 20), tick=False):
        created = city.client("contractor").post("/api/v1/projects/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "not_started"
    with time_machine.travel(at(11, 2), tick=False):
        call_command("run_rules", "--from", "2026-10-01", "--to", "2026-10-31", stdout=io.StringIO())
    project = Project.objects.get(permit_no=body["permit_no"])
    found = set(Alert.objects.filter(project=project).values_list("rule", "subject_code"))
    assert {("R01", ""), ("R12", "workers"), ("R12", "managers")} <= found
    with time_machine.travel(at(11, 2), tick=False):
        rows = annex1_rows(city.client("haishu"), "330203", "2026-10-01", "2026-10-31")
    assert rows[1] == 2 and rows[2] == 2  # the city fixture's project and this one: 在建, 应考勤未考勤


def test_a_start_date_change_moves_the_start_only_from_its_approval(city, manager, gate):
    """Planned for 1 October; on 20 October the contractor asks to move the start to 25 October, approved
    on the 22nd: 1–21 October stay construction days (the change came late), 22–24 are not."""
    project = ProjectFactory(
        district=city.haishu, planned_start=dt.date(2026, 10, 1), actual_start=None, status="not_started"
    )
    participate(project, city.contractor, "contractor")
    with time_machine.travel(at(10, 20), tick=False):
        request = (
            city.client("contractor")
            .post(
                "/api/v1/status-requests/",
                {
                    "project": project.permit_no,
                    "kind": "start_date_change",
                    "reason": "拆迁滞后",
                    "effective_from": "2026-10-25",
                },
                format="json",
            )
            .json()
        )
        city.client("haishu").post(f"/api/v1/status-requests/{request['id']}/approve/", {}, format="json")
    with time_machine.travel(at(10, 22), tick=False):
        approved = city.client("city").post(f"/api/v1/status-requests/{request['id']}/approve/", {}, format="json")
    assert approved.json()["state"] == "approved"
    with time_machine.travel(at(11, 2), tick=False):
        presence = city.client("haishu").get(f"/api/v1/projects/{project.permit_no}/presence/?month=2026-10").json()
    assert presence["construction_days"] == 21 + 7  # 1–21 and 25–31 October


# --- Only trustworthy punches make a day attended ----------------------------------------------------------


def test_back_filled_punches_do_not_make_a_project_managers_days(city, gate, manager):
    """The project manager attended 6 days of October; on the 28th an online device back-fills 20 punches
    dated 1–20 October. The month reads 6/31 and fails R11 (as R13 finds the 20 back-filled)."""
    for day in range(1, 32):
        for minute in (0, 20, 40):  # the device is in contact through the morning, every day
            with time_machine.travel(at(10, day, 7, minute), tick=False):
                gate.heartbeat()
        if day >= 26:
            with time_machine.travel(at(10, day, 7, 41), tick=False):
                assert gate.punches([punch(f"M-{day}", manager, at(10, day, 7, 41))]).json()["accepted"] == 1
        if day == 28:
            with time_machine.travel(at(10, day, 7, 50), tick=False):
                forged = [punch(f"B-{d}", manager, at(10, d, 7, 10)) for d in range(1, 21)]  # "made" while online
                assert gate.punches(forged).json()["accepted"] == 20
    nights(dt.date(2026, 10, 28), dt.date(2026, 10, 31))
    assert Alert.objects.get(rule="R13").evidence["count"] == 20
    r11 = Alert.objects.get(rule="R11")
    assert (r11.evidence["attended_days"], r11.evidence["construction_days"]) == (6, 31)
    with time_machine.travel(at(11, 2), tick=False):
        body = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-10").json()
    assert body["managers"][0]["attended_days"] == 6
    assert len(body["uncounted"]) == 20 and {u["rule"] for u in body["uncounted"]} == {"R13"}
    assert body["uncounted"][0]["reason"] == "设备在线期间补传的历史考勤"
    # District staff see the same on the project's page, with the rule and the reason, the number masked.
    page_client = Client()
    page_client.force_login(city.users["haishu"])
    with time_machine.travel(at(11, 2), tick=False):
        page = page_client.get(f"/projects/{city.project.permit_no}/?month=2026-10").content.decode()
    section = page.split("未计入考勤的打卡记录")[1].split("<h2>")[0]
    assert section.count("设备在线期间补传的历史考勤") == 20 and "10月1日 07:10" in section
    assert manager not in page and manager[:6] + "********" + manager[-4:] in section


def test_dismissing_the_finding_as_genuine_makes_its_punches_count_again(city, gate, manager):
    """A backlit face scores low on 1–25 October (R09); staff review it and dismiss it: the days count
    again, and the month already judged is judged again (the R11 alert resolves)."""
    for day in range(1, 26):
        with time_machine.travel(at(10, day, 7), tick=False):
            gate.heartbeat()
            gate.punches([punch(f"L-{day}", manager, at(10, day, 7, 1), match_score=0.55)])
    nights(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    r11 = Alert.objects.get(rule="R11")
    assert r11.evidence["attended_days"] == 0
    r09 = Alert.objects.get(rule="R09")  # one occurrence over 1–25 October
    assert (r09.period_start, r09.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 25))
    with time_machine.travel(at(11, 3, 10), tick=False):
        answer = city.client("haishu").post(
            f"/api/v1/alerts/{r09.pk}/dismiss/", {"reason": "逆光，现场核实本人"}, format="json"
        )
    assert answer.status_code == 200
    r11.refresh_from_db()
    assert r11.state == "resolved"  # 25/31 = 80.6%: the manager was on duty after all
    with time_machine.travel(at(11, 3, 11), tick=False):
        body = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-10").json()
    assert body["managers"][0]["attended_days"] == 25 and body["uncounted"] == []


def test_photos_without_a_liveness_check_and_punches_on_another_projects_device_do_not_count(
    city, gate, manager, client
):
    from devices.services import device_register
    from tests.device_client import SignedDevice

    other = device_register(
        user=city.users["other_contractor"],
        project=city.other_project,
        serial="JB-GATE-01",
        vendor=city.vendor,
        model="m",
        kind="gate",
        connection="direct",
        location="entrance",
    )
    elsewhere = SignedDevice(client=client, serial="JB-GATE-01", secret=other.secret)
    with time_machine.travel(at(11, 20, 9), tick=False):
        gate.heartbeat()
        elsewhere.heartbeat()
        gate.punches([punch("N-1", manager, at(11, 20, 7), liveness=None)])  # a photo held up to the camera
        elsewhere.punches([punch("E-1", manager, at(11, 20, 8))])  # on another project's gate
    nights(dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    with time_machine.travel(at(11, 21, 9), tick=False):
        body = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-11").json()
    assert body["managers"][0]["attended_days"] == 0
    assert [u["rule"] for u in body["uncounted"]] == ["R06"]
    assert Alert.objects.filter(rule="R10", project=city.project).exists()


# --- The denominator is not the contractor's ----------------------------------------------------------------


def test_a_project_managers_exit_cannot_be_dated_back_or_made_without_a_replacement(city, gate, manager):
    from projects.models import Engagement

    pm = Engagement.objects.get(position="project_manager")
    for day in (1, 2, 3):
        with time_machine.travel(at(10, day, 7), tick=False):
            gate.heartbeat()
            gate.punches([punch(f"P-{day}", manager, at(10, day, 7, 1))])
    exit_url = f"/api/v1/projects/{city.project.permit_no}/engagements/{pm.pk}/exit/"
    with time_machine.travel(at(10, 30, 10), tick=False):
        backdated = city.client("contractor").post(
            exit_url, {"exited_on": "2026-10-03", "settlement_confirmed": True}, format="json"
        )
        assert backdated.status_code == 400 and "最多可往前追溯 3 天" in backdated.json()["exited_on"][0]
        today = city.client("contractor").post(
            exit_url, {"exited_on": "2026-10-30", "settlement_confirmed": True}, format="json"
        )
        assert today.status_code == 400 and "人员变更申请" in today.json()["exited_on"][0]
        # The replacement is filed; the new holder is registered; nothing is approved this month.
        new = (
            city.client("contractor")
            .post(
                f"/api/v1/projects/{city.project.permit_no}/engagements/",
                {
                    "id_number": id_number("330203", "19800101", 22),
                    "name": "李新",
                    "employer": city.contractor.uscc,
                    "category": "manager",
                    "position": "project_manager",
                    "entered_on": "2026-10-30",
                },
                format="json",
            )
            .json()
        )
        filed = city.client("contractor").post(
            "/api/v1/status-requests/",
            {
                "project": city.project.permit_no,
                "kind": "manager_replacement",
                "reason": "项目经理调任",
                "effective_from": "2026-10-30",
                "position": "project_manager",
                "replaced": pm.pk,
                "replacement": new["id"],
            },
            format="json",
        )
        assert filed.status_code == 201, filed.json()
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    failing = {a.subject_id: a.evidence for a in Alert.objects.filter(rule="R11")}
    assert failing[pm.pk]["attended_days"] == 3 and failing[pm.pk]["construction_days"] == 31
    assert new["id"] not in failing  # the new holder is not yet held to the month
    pm.refresh_from_db()
    assert pm.exited_on is None


def test_registering_a_second_project_manager_first_does_not_replace_the_first_without_a_request(city, manager):
    """中山 2019 上线通知 三(十一) and 吉建管〔2021〕6号 三(二) ("不得随意、擅自变更"): the order of the steps does not
    matter. A second project manager registered before the first's exit is pending, not a second holder:
    the first's exit is still refused, and a refused replacement leaves it so."""
    from projects.models import Engagement

    pm = Engagement.objects.get(position="project_manager")
    with time_machine.travel(at(11, 2, 9), tick=False):
        second = city.client("contractor").post(
            f"/api/v1/projects/{city.project.permit_no}/engagements/",
            {
                "id_number": id_number("330203", "19800101", 24),
                "name": "李后来",
                "employer": city.contractor.uscc,
                "category": "manager",
                "position": "project_manager",
                "entered_on": "2026-11-02",
            },
            format="json",
        )
        assert second.status_code == 201, second.json()
        assert any("须经管理人员变更申请批准" in w for w in second.json()["warnings"])  # in Chinese
        exit_url = f"/api/v1/projects/{city.project.permit_no}/engagements/{pm.pk}/exit/"
        refused = city.client("contractor").post(
            exit_url, {"exited_on": "2026-11-02", "settlement_confirmed": True}, format="json"
        )
        assert refused.status_code == 400 and "人员变更申请" in refused.json()["exited_on"][0]
        filed = (
            city.client("contractor")
            .post(
                "/api/v1/status-requests/",
                {
                    "project": city.project.permit_no,
                    "kind": "manager_replacement",
                    "reason": "项目经理调任",
                    "effective_from": "2026-11-02",
                    "position": "project_manager",
                    "replaced": pm.pk,
                    "replacement": second.json()["id"],
                },
                format="json",
            )
            .json()
        )
        rejected = city.client("haishu").post(
            f"/api/v1/status-requests/{filed['id']}/reject/", {"reason": "未提供调任文件"}, format="json"
        )
        assert rejected.status_code == 200, rejected.json()
        again = city.client("contractor").post(
            exit_url, {"exited_on": "2026-11-02", "settlement_confirmed": True}, format="json"
        )
        assert again.status_code == 400
    pm.refresh_from_db()
    assert pm.exited_on is None
    assert Engagement.objects.get(pk=second.json()["id"]).judged_from == dt.date.max  # still pending


def replaced_through_the_api(city, gate, *, old, number: str, name: str, position: str, reason: str, record: str):
    """The general contractor registers the new holder on 2 November and files the replacement, the district and
    the city approve it, and the new holder first attends on 5 November: the nights of 4–5 November switch them (run
    by the caller). Returns the new holder's engagement."""
    with time_machine.travel(at(11, 2, 9), tick=False):
        new = engage(
            city.project,
            city.contractor,
            who=person(number, name),
            category="manager",
            position=position,
            entered_on=dt.date(2026, 11, 2),
        )
        filed = (
            city.client("contractor")
            .post(
                "/api/v1/status-requests/",
                {
                    "project": city.project.permit_no,
                    "kind": "manager_replacement",
                    "reason": reason,
                    "effective_from": "2026-11-02",
                    "position": position,
                    "replaced": old.pk,
                    "replacement": new.pk,
                },
                format="json",
            )
            .json()
        )
        city.client("haishu").post(f"/api/v1/status-requests/{filed['id']}/approve/", {}, format="json")
        city.client("city").post(f"/api/v1/status-requests/{filed['id']}/approve/", {}, format="json")
    with time_machine.travel(at(11, 5, 7), tick=False):
        gate.heartbeat()
        gate.punches([punch(record, number, at(11, 5, 7, 1))])  # the new holder's face is enrolled and used
    return new


def test_a_replacement_switches_when_approved_and_the_new_holder_has_attended(city, gate, manager):
    from projects.models import Engagement

    pm = Engagement.objects.get(position="project_manager")
    new = replaced_through_the_api(
        city,
        gate,
        old=pm,
        number=id_number("330203", "19800101", 23),
        name="李新",
        position="project_manager",
        reason="项目经理调任",
        record="NEW-1",
    )
    nights(dt.date(2026, 11, 4), dt.date(2026, 11, 5))
    pm.refresh_from_db()
    new.refresh_from_db()
    assert (pm.exited_on, new.judged_from) == (dt.date(2026, 11, 4), dt.date(2026, 11, 5))


def test_a_suspension_counts_from_its_approval_not_from_the_date_it_asks_for(city, manager):
    """Filed on 3 November as of 3 November, approved by the city on the 17th: 3–16 November stay
    construction days (中山 2019 上线通知 三(九))."""
    with time_machine.travel(at(11, 3, 9), tick=False):
        filed = (
            city.client("contractor")
            .post(
                "/api/v1/status-requests/",
                {
                    "project": city.project.permit_no,
                    "kind": "suspension",
                    "reason": "待材料进场",
                    "effective_from": "2026-11-03",
                },
                format="json",
            )
            .json()
        )
        city.client("haishu").post(f"/api/v1/status-requests/{filed['id']}/approve/", {}, format="json")
    with time_machine.travel(at(11, 17, 9), tick=False):
        approved = city.client("city").post(f"/api/v1/status-requests/{filed['id']}/approve/", {}, format="json")
    assert approved.json()["takes_effect_on"] == "2026-11-17"
    with time_machine.travel(at(11, 25), tick=False):
        presence = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-11")
    assert presence.json()["construction_days"] == 16  # 1–16 November


def test_a_request_dated_far_back_is_refused_and_the_city_may_approve_one_as_of_its_date(city, manager):
    with time_machine.travel(at(11, 20, 9), tick=False):
        far = city.client("contractor").post(
            "/api/v1/status-requests/",
            {
                "project": city.project.permit_no,
                "kind": "suspension",
                "reason": "补办停工",
                "effective_from": "2026-11-03",
            },
            format="json",
        )
        assert far.status_code == 400 and "最多可往前追溯 3 天" in far.json()["effective_from"][0]
        near = (
            city.client("contractor")
            .post(
                "/api/v1/status-requests/",
                {
                    "project": city.project.permit_no,
                    "kind": "suspension",
                    "reason": "暴雨停工",
                    "effective_from": "2026-11-18",
                },
                format="json",
            )
            .json()
        )
        city.client("haishu").post(f"/api/v1/status-requests/{near['id']}/approve/", {}, format="json")
        bare = city.client("city").post(
            f"/api/v1/status-requests/{near['id']}/approve/", {"retroactive": True}, format="json"
        )
        assert bare.status_code == 400 and "retroactive" in bare.json()
        as_of = city.client("city").post(
            f"/api/v1/status-requests/{near['id']}/approve/",
            {"retroactive": True, "comment": "暴雨预警，现场已核实"},
            format="json",
        )
    assert (as_of.json()["takes_effect_on"], as_of.json()["retroactive"]) == ("2026-11-18", True)


# --- A dismissal covers its occurrence ----------------------------------------------------------------------


def test_a_dismissed_finding_does_not_silence_the_same_condition_months_later(city, gate, manager):
    with time_machine.travel(at(11, 3, 8), tick=False):
        gate.heartbeat()
        gate.punches([punch("L-1", manager, at(11, 3, 7), match_score=0.6)])
    nights(dt.date(2026, 11, 3), dt.date(2026, 11, 3))
    first = Alert.objects.get(rule="R09")
    with time_machine.travel(at(11, 4, 9), tick=False):
        city.client("haishu").post(f"/api/v1/alerts/{first.pk}/dismiss/", {"reason": "逆光"}, format="json")
    with time_machine.travel(at(12, 10, 8), tick=False):
        gate.heartbeat()
        gate.punches([punch("L-2", manager, at(12, 10, 7), match_score=0.5)])  # somebody else, five weeks on
    nights(dt.date(2026, 12, 10), dt.date(2026, 12, 10))
    states = sorted(Alert.objects.filter(rule="R09").values_list("period_start", "state"))
    assert states == [(dt.date(2026, 11, 3), "dismissed"), (dt.date(2026, 12, 10), "open")]


# --- Silence, empty sites, exports -------------------------------------------------------------------------


def test_a_silent_device_is_found_without_the_offline_sweep(city, gate, manager):
    from devices.models import Device
    from devices.services import device_register

    with time_machine.travel(at(11, 1, 9), tick=False):
        gate.heartbeat()  # then silent; the per-minute sweep never ran
        device_register(
            user=city.users["contractor"],
            project=city.project,
            serial="NEVER-1",
            vendor=city.vendor,
            model="m",
            kind="gate",
            connection="direct",
            location="entrance",
        )
    nights(dt.date(2026, 11, 3), dt.date(2026, 11, 3))
    assert Device.objects.get(serial=gate.serial).online  # nobody swept it
    assert set(Alert.objects.filter(rule="R03").values_list("subject", flat=True)) == {gate.serial, "NEVER-1"}


def test_a_silence_the_sweep_missed_is_recorded_by_the_contact_that_ends_it(city, gate, manager):
    with time_machine.travel(at(11, 1, 9), tick=False):
        gate.heartbeat()
    with time_machine.travel(at(11, 3, 9), tick=False):
        gate.heartbeat()  # back after 48 hours, before the night judges the 2nd
    nights(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    (r03,) = Alert.objects.filter(rule="R03")
    assert r03.period_start == dt.date(2026, 11, 2)


def test_a_site_nobody_is_registered_on_is_silent(city):
    Policy.objects.filter(district__isnull=True, in_force=True).update(manager_grace_days=10)
    empty = ProjectFactory(district=city.haishu, planned_start=dt.date(2026, 11, 1), actual_start=None)
    nights(dt.date(2026, 11, 1), dt.date(2026, 11, 14))
    streaks = {a.subject_code: a for a in Alert.objects.filter(rule="R12", project=empty)}
    assert (streaks["workers"].period_start, streaks["workers"].period_end) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 14),
    )
    # Managers are held from the start plus the grace: silent from 11 November.
    assert streaks["managers"].period_start == dt.date(2026, 11, 11)


def test_the_regulators_own_downloads_are_audited_but_an_enterprises_export_is_the_finding(city, manager):
    from smz_platform.common.models import AuditEvent

    with time_machine.travel(at(11, 20, 10), tick=False):
        assert city.client("haishu").get(f"/reports/ledger.xlsx?project={city.project.permit_no}").status_code == 200
        assert (
            city.client("contractor").get(f"/reports/ledger.xlsx?project={city.project.permit_no}").status_code == 200
        )
    assert AuditEvent.objects.filter(action="export").count() == 2
    nights(dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    (r14,) = Alert.objects.filter(rule="R14")
    assert r14.evidence["user"] == "contractor" and r14.evidence["persons"] == 1


# --- The trial period is judged by the date of the condition ---------------------------------------------------


def test_the_trial_period_is_judged_by_when_the_condition_held(city):
    Policy.objects.filter(district__isnull=True, in_force=True).update(go_live=dt.date(2026, 11, 10))
    early = ProjectFactory(district=city.haishu, planned_start=dt.date(2026, 11, 1))
    nights(dt.date(2026, 11, 1), dt.date(2026, 11, 12))
    r12 = Alert.objects.get(rule="R12", project=early, subject_code="workers")
    assert r12.scored  # a streak crossing the go-live date is scored
    r01 = Alert.objects.get(rule="R01", project=early)
    assert r01.scored  # the same occurrence goes on past go-live
    trial_only = ProjectFactory(
        district=city.haishu, planned_start=dt.date(2026, 11, 1), completed_on=dt.date(2026, 11, 6)
    )
    nights(dt.date(2026, 11, 1), dt.date(2026, 11, 5))
    assert not Alert.objects.filter(project=trial_only, scored=True).exists()
    assert Alert.objects.filter(project=trial_only, rule="R01").exists()
    with time_machine.travel(at(11, 20), tick=False):
        case = case_open(
            user=city.users["haishu"],
            project=trial_only,
            title="试运行期",
            alert_ids=list(trial_only.alerts.filter(rule="R01").values_list("pk", flat=True)),
        )
        credit = MeasureIn(kind="credit", issued_on=dt.date(2026, 11, 20), basis="R01", points=5)
        measure_issue(user=city.users["haishu"], case=case, data=credit)
        rows = annex1_rows(city.client("haishu"), "330203", "2026-11-01", "2026-11-05")
        detail = load_workbook(
            io.BytesIO(
                city.client("haishu").get("/reports/annex1.xlsx?district=330203&from=2026-11-01&to=2026-11-05").content
            )
        )["查处项目明细"]
    assert not CreditRecord.objects.filter(scored=True).exists()  # a trial-period finding deducts nothing
    # Annex 1 counts the two projects whose conditions went on past go-live, not the one that ended before it.
    assert rows[2] == 2
    listed = {row[3]: row for row in detail.iter_rows(min_row=3, values_only=True)}
    assert "2" not in str(listed[trial_only.permit_no][4])  # under construction (row 1), no finding counted


# --- The ladder as the checklist words it ------------------------------------------------------------------


def test_an_order_on_a_chief_supervisor_escalates_to_bad_conduct_records_on_him_and_his_firm(city):
    from projects.models import Engagement

    engage(city.project, city.contractor, category="manager", position="project_manager")
    chief = engage(
        city.project,
        city.supervisor,
        who=person(name="赵总监"),
        category="manager",
        position="chief_supervisor",
        entered_on=dt.date(2026, 9, 1),
    )
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    alerts = list(Alert.objects.filter(rule="R11", subject_id=chief.pk).values_list("pk", flat=True))
    with time_machine.travel(at(11, 3), tick=False):
        case = case_open(user=city.users["haishu"], project=city.project, title="总监未到岗", alert_ids=alerts)
        order = measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(
                kind="rectification", issued_on=dt.date(2026, 11, 3), basis="R11", deadline=dt.date(2026, 11, 10)
            ),
        )
    nights(dt.date(2026, 12, 31), dt.date(2026, 12, 31))  # December: still absent
    assert measures_escalate(today=dt.date(2027, 1, 1)).escalated == 1
    (proposal,) = Measure.objects.filter(escalated_from=order)
    assert proposal.kind == "credit"  # no penalty for a chief supervisor (吉建管〔2021〕6号 附件1 item 2)
    assert (proposal.target_person, proposal.target_enterprise) == (chief.person, city.supervisor)
    assert Engagement.objects.filter(position="project_manager").exists()


def test_an_order_on_a_daily_rule_waits_for_the_night_after_its_deadline(city):
    nights(dt.date(2026, 11, 24), dt.date(2026, 11, 24))  # R01: no device
    with time_machine.travel(at(11, 25), tick=False):
        case = case_open(
            user=city.users["haishu"],
            project=city.project,
            title="无考勤设备",
            alert_ids=list(Alert.objects.filter(rule="R01", project=city.project).values_list("pk", flat=True)),
        )
        order = measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(
                kind="rectification", issued_on=dt.date(2026, 11, 25), basis="R01", deadline=dt.date(2026, 11, 26)
            ),
        )
    # 02:30 on the 27th: the night of the 27th has not been judged yet: the order waits, it does not close.
    assert measures_escalate(today=dt.date(2026, 11, 27)).waiting == 1
    order.refresh_from_db()
    assert order.state == "issued"
    nights(dt.date(2026, 11, 27), dt.date(2026, 11, 27))
    assert measures_escalate(today=dt.date(2026, 11, 28)).escalated == 1


def test_a_shortfall_order_escalates_to_nothing_and_r16_is_no_basis_for_a_measure(city):
    from django.core.exceptions import ValidationError

    with time_machine.travel(at(11, 25), tick=False):
        case = case_open(user=city.users["haishu"], project=city.project, title="考勤率")
        with pytest.raises(ValidationError, match="目标指标"):
            measure_issue(
                user=city.users["haishu"],
                case=case,
                data=MeasureIn(kind="circular", issued_on=dt.date(2026, 11, 25), basis="R16"),
            )
        order = measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(
                kind="rectification", issued_on=dt.date(2026, 11, 20), basis="R15", deadline=dt.date(2026, 11, 21)
            ),
        )
    nights(dt.date(2026, 11, 22), dt.date(2026, 11, 22))
    measures_escalate(today=dt.date(2026, 11, 23))
    assert not Measure.objects.filter(escalated_from=order).exists()


# --- Annex 1 and Annex 2 -----------------------------------------------------------------------------------


def test_annex2_tells_the_findings_in_the_regulators_words(city, manager):
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))  # the project manager never attended
    with time_machine.travel(at(11, 3), tick=False):
        case = case_open(
            user=city.users["haishu"],
            project=city.project,
            title="项目经理未到岗",
            alert_ids=list(Alert.objects.filter(project=city.project).values_list("pk", flat=True)),
        )
        response = city.client("haishu").get(f"/reports/annex2.xlsx?case={case.pk}")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    text = "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "项目经理 王建国 10月应到岗31天，实到0天，到岗率0%，低于80%。" in text
    for raw in ("attended_days", "construction_days", "ratio", "threshold", "position", "{", "True", "None"):
        assert raw not in text


def test_projects_out_of_the_zhongshan_scope_are_neither_judged_nor_counted(city):
    Policy.objects.filter(district__isnull=True, in_force=True).update(scope_only=True)
    small = ProjectFactory(district=city.haishu, building_area_m2=3000, planned_start=dt.date(2026, 11, 1))
    nights(dt.date(2026, 11, 1), dt.date(2026, 11, 5))
    assert not Alert.objects.filter(project=small).exists()
    assert Alert.objects.filter(project=city.project, rule="R01").exists()
    with time_machine.travel(at(11, 20), tick=False):
        rows = annex1_rows(city.client("haishu"), "330203", "2026-11-01", "2026-11-05")
    assert rows[1] == 1


def test_platform_docking_and_phones_as_the_notices_word_them(city, gate, manager, client):
    from devices.models import Device
    from devices.services import device_register
    from tests.device_client import SignedDevice

    with time_machine.travel(at(11, 20, 7), tick=False):
        registered = device_register(
            user=city.users["contractor"],
            project=city.project,
            serial="PAD-1",
            vendor=city.vendor,
            model="m",
            kind="mobile",
            connection="platform",
            location="entrance",
            lat=29.86,
            lon=121.54,
            fence_m=500,
        )
        pad = SignedDevice(client=client, serial="PAD-1", secret=registered.secret)
        gate.heartbeat()
        pad.heartbeat()
        pad.punches([punch("PH-1", manager, at(11, 20, 6), method="mobile", lat=29.86, lon=121.54)])
    nights(dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    assert Alert.objects.filter(rule="R08", project=city.project).exists()  # a gate is there: the phone is R08
    assert Alert.objects.filter(rule="R02", subject="PAD-1").exists()  # Ningbo: direct connection everywhere
    Alert.objects.all().delete()
    Device.objects.filter(serial=gate.serial).update(state="retired")  # no fixed device left: a phone is the device
    Project.objects.filter(pk=city.project.pk).update(filed_on=dt.date(2019, 6, 1))
    Policy.objects.filter(district__isnull=True, in_force=True).update(r02_docking_filed_before=dt.date(2020, 2, 1))
    nights(dt.date(2026, 11, 20), dt.date(2026, 11, 20))
    assert not Alert.objects.filter(rule__in=["R02", "R08"]).exists()


def test_a_replaced_labour_clerk_leaves_the_kept_rights_board_when_the_switch_exits_him(
    city, gate, manager, django_capture_on_commit_callbacks
):
    """The permit requires a labour clerk (劳资专管员); his replacement switches at the night after the new clerk
    attends, which exits him by a conditional update: the board, kept for an hour, forgets him at once."""
    from projects.models import Engagement
    from rights.models import RightsBoard
    from rights.services import board_issue

    Project.objects.filter(pk=city.project.pk).update(
        required_positions=[*city.project.required_positions, "labour_clerk"]
    )
    old = engage(city.project, city.contractor, who=person(name="钱会计"), category="manager", position="labour_clerk")
    board = board_issue(user=city.users["contractor"], project=city.project)
    address = f"/board/{board.token}/"
    assert "钱会计" in Client().get(address).content.decode()  # kept now
    new = replaced_through_the_api(
        city,
        gate,
        old=old,
        number=id_number("330203", "19850505", 27),
        name="李专管",
        position="labour_clerk",
        reason="劳资专管员调岗",
        record="CLERK-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        nights(dt.date(2026, 11, 4), dt.date(2026, 11, 5))
    old.refresh_from_db()
    assert old.exited_on == dt.date(2026, 11, 4)
    text = Client().get(address).content.decode()
    assert "钱会计" not in text and "李专管" in text
    assert RightsBoard.objects.get(pk=board.pk).revoked_at is None
    assert Engagement.objects.get(pk=new.pk).judged_from == dt.date(2026, 11, 5)
