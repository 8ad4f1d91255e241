"""Inspections through the API: recording, device tests, R15 at its thresholds, photos, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from inspections.engine import rules_run
from inspections.models import Alert, Inspection
from tests.inspections.enforcement.helpers import workers_present

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _visit(client, target, **fields):
    body = {"project": target.permit_no, "kind": "site_visit", "day": DAY.isoformat(), "inspectors": "李明、张华"}
    body.update(fields)
    return client.post("/api/v1/inspections/", body, format="json")


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_a_site_visit_is_recorded_with_its_findings(city):
    response = _visit(
        city.client("haishu"),
        city.project,
        headcount=30,
        findings=[{"category": "R04", "description": "钢筋班组3人未登记"}],
        notes="现场抽查",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["day"], body["headcount"], body["recorded_by"]) == (
        "site_visit",
        "2026-11-20",
        30,
        "haishu",
    )
    assert [(f["category"], f["description"]) for f in body["findings"]] == [("R04", "钢筋班组3人未登记")]
    listed = city.client("haishu").get("/api/v1/inspections/?district=330203&kind=site_visit").json()
    assert [i["id"] for i in listed["results"]] == [body["id"]]
    assert city.client("jiangbei").get(f"/api/v1/inspections/{body['id']}/").status_code == 404


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
@pytest.mark.parametrize(("attended", "severity"), [(25, "rectify"), (24, "penalty"), (40, None)])
def test_r15_judges_a_past_visit_at_once(city, attended, severity):
    workers_present(city.project, city.contractor, day=DAY, attended=attended, absent=3)
    assert _visit(city.client("haishu"), city.project, headcount=40).status_code == 201
    alerts = list(Alert.objects.filter(rule="R15", project=city.project))
    if severity is None:
        assert alerts == []
        return
    (alert,) = alerts
    assert alert.evidence["headcount"] == 40
    assert alert.evidence["attended"] == attended
    assert alert.evidence["shortfall"] == 40 - attended
    assert alert.evidence["severity"] == severity


def test_r15_judges_todays_visit_in_the_nightly_run(city):
    with time_machine.travel("2026-11-20 15:00 +0800", tick=False):
        assert _visit(city.client("haishu"), city.project, headcount=20).status_code == 201
        assert not Alert.objects.filter(rule="R15").exists()  # the day's attendance is not complete yet
    workers_present(city.project, city.contractor, day=DAY, attended=12)
    with time_machine.travel("2026-11-21 01:30 +0800", tick=False):
        rules_run(day=DAY)
        rules_run(day=DAY)  # a second run adds nothing
    (alert,) = Alert.objects.filter(rule="R15", project=city.project)
    assert (alert.evidence["shortfall"], alert.evidence["severity"], alert.state) == (8, "rectify", "open")


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_a_device_that_accepts_a_photo_adds_a_finding(city, gate):
    response = _visit(
        city.client("haishu"),
        city.project,
        device_tests=[{"serial": gate.serial, "refuses_photo": False, "refuses_video": True}],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["device_tests"] == [
        {"serial": gate.serial, "refuses_photo": False, "refuses_video": True, "passed": False, "note": ""}
    ]
    assert [f["category"] for f in body["findings"]] == ["R06"]
    assert gate.serial in body["findings"][0]["description"]


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_a_supervision_firm_records_its_own_check_and_nobody_else_does(city):
    ok = _visit(city.client("supervisor"), city.project, kind="supervision_check", headcount=12)
    assert ok.status_code == 201, ok.json()
    assert Inspection.objects.get(pk=ok.json()["id"]).enterprise == city.supervisor
    assert _visit(city.client("contractor"), city.project).status_code == 403
    assert _visit(city.client("supervisor"), city.project).status_code == 403  # a regulator's site visit
    assert _visit(city.client("jiangbei"), city.project).status_code == 400  # not in its jurisdiction
    assert city.client("contractor").get("/api/v1/inspections/").json()["count"] == 1


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"day": "2026-11-26"}, "day"),
        ({"day": "2026-08-01"}, "day"),
        ({"day": "2026-13-01"}, "day"),
        ({"kind": "online_patrol", "headcount": 3}, "headcount"),
        ({"headcount": -1}, "headcount"),
        ({"kind": "drone"}, "kind"),
        ({"inspectors": "  "}, "inspectors"),
        ({"findings": [{"category": "R99", "description": "x"}]}, "findings"),
        ({"findings": [{"category": "R04"}]}, "findings"),
        ({"device_tests": [{"serial": "NOT-OURS", "refuses_photo": True, "refuses_video": True}]}, "device_tests"),
        ({"project": "NO-SUCH-PERMIT"}, "project"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(city, fields, field):
    response = _visit(city.client("haishu"), city.project, **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert Inspection.objects.count() == 0


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_photos_are_attached_and_other_files_refused(city):
    inspection = _visit(city.client("haishu"), city.project).json()
    url = f"/api/v1/inspections/{inspection['id']}/photos/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = city.client("haishu")
    ok = client.post(url, {"file": SimpleUploadedFile("gate.png", PNG), "caption": "大门闸机"}, format="multipart")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["caption"] == "大门闸机"
    bad = client.post(url, {"file": SimpleUploadedFile("x.png", b"MZ\x90\x00")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    pdf = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 ...")}, format="multipart")
    assert pdf.status_code == 400
    assert len(client.get(f"/api/v1/inspections/{inspection['id']}/").json()["photos"]) == 1
