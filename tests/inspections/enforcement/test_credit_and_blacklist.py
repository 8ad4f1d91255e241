"""Credit points from the deduction table, the go-live date, score history; the vendor blacklist."""

from __future__ import annotations

import datetime as dt

import pytest

from devices.models import Device
from inspections.models import CreditDeduction, CreditRecord, Policy
from inspections.rules import codes, registry
from inspections.services.cases import case_open
from inspections.services.measures import MeasureIn, measure_issue
from projects.models import Enterprise

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]


@pytest.fixture
def case(city):
    return case_open(user=city.users["haishu"], project=city.project, title="考勤数据造假")


def _issue(city, case, **fields):
    data = {"kind": "credit", "issued_on": dt.date(2026, 11, 20)}
    data.update(fields)
    return measure_issue(user=city.users["haishu"], case=case, data=MeasureIn(**data))


def test_forgery_costs_the_most_points(db):
    table = dict(CreditDeduction.objects.filter(basis="category").values_list("code", "points"))
    # Every rule a measure may answer has its line (an indicator such as C1, the district's own handling, is
    # no firm's violation).
    assert set(table) >= {spec.code for spec in registry() if not spec.indicator}
    assert set(table) <= set(codes())
    assert table["R07"] == max(table.values())


def test_a_credit_punishment_deducts_the_tables_points_for_its_category(city, case):
    _issue(city, case, basis="R07")
    _issue(city, case, basis="R12", issued_on=dt.date(2026, 10, 15))
    records = CreditRecord.objects.filter(enterprise=city.contractor).order_by("day")
    assert [(r.day, r.points, r.scored) for r in records] == [
        (dt.date(2026, 10, 15), 5, True),
        (dt.date(2026, 11, 20), 10, True),
    ]
    body = city.client("haishu").get(f"/api/v1/credit/enterprises/{city.contractor.uscc}/").json()
    assert body["score"] == 85
    history = {p["month"]: p["score"] for p in body["history"]}
    assert (history["2026-09"], history["2026-10"], history["2026-11"]) == (100, 95, 85)


def test_given_points_and_measure_points_count_too(city, case):
    CreditDeduction.objects.filter(basis="measure", code="circular").update(points=4)
    _issue(city, case, basis="R07", points=12)
    _issue(city, case, kind="circular")
    _issue(city, case, kind="award_exclusion")  # worth nothing in the table: no record
    assert sorted(CreditRecord.objects.values_list("points", flat=True)) == [4, 12]


def test_nothing_is_scored_before_the_policys_go_live_date(city, case):
    Policy.objects.filter(district__isnull=True, in_force=True).update(go_live=dt.date(2026, 12, 1))
    _issue(city, case, basis="R07")
    (record,) = CreditRecord.objects.all()
    assert (record.points, record.scored) == (10, False)
    body = city.client("haishu").get(f"/api/v1/credit/enterprises/{city.contractor.uscc}/").json()
    assert body["score"] == 100
    assert city.client("haishu").get("/api/v1/credit/records/?scored=false").json()["count"] == 1


def test_a_withdrawn_punishment_no_longer_counts(city, case):
    measure = _issue(city, case, basis="R07")
    city.client("haishu").post(f"/api/v1/measures/{measure.pk}/withdraw/", {"reason": "复核撤销"}, format="json")
    assert city.client("haishu").get(f"/api/v1/credit/enterprises/{city.contractor.uscc}/").json()["score"] == 100


def test_an_enterprise_sees_only_its_own_records(city, case):
    _issue(city, case, basis="R07")
    assert city.client("contractor").get("/api/v1/credit/records/").json()["count"] == 1
    assert city.client("other_contractor").get("/api/v1/credit/records/").json()["count"] == 0
    assert city.client("jiangbei").get("/api/v1/credit/records/").json()["count"] == 0


def _register(client, project, serial):
    return client.post(
        f"/api/v1/projects/{project.permit_no}/devices/",
        {
            "serial": serial,
            "vendor": Enterprise.objects.get(is_vendor=True).uscc,
            "model": "FaceGate-3",
            "kind": "gate",
            "connection": "direct",
            "location": "entrance",
        },
        format="json",
    )


def test_blacklisting_a_vendor_marks_its_devices_and_refuses_new_ones(city, case, gate):
    measure = _issue(city, case, kind="vendor_blacklist", target_enterprise=city.vendor)
    city.vendor.refresh_from_db()
    assert city.vendor.blacklisted_on == dt.date(2026, 11, 20)
    assert Device.objects.get(serial=gate.serial).vendor_blacklisted_at is not None
    (listed,) = city.client("haishu").get("/api/v1/devices/").json()["results"]
    assert listed["vendor_blacklisted_at"] is not None
    refused = _register(city.client("contractor"), city.project, "HS-GATE-02")
    assert refused.status_code == 400
    assert "blacklist" in refused.json()["vendor"][0] or "黑名单" in refused.json()["vendor"][0]
    assert not Device.objects.filter(serial="HS-GATE-02").exists()
    # A second blacklisting keeps the first date; lifting one leaves the other standing.
    second = _issue(city, case, kind="vendor_blacklist", target_enterprise=city.vendor, issued_on=dt.date(2026, 11, 24))
    city.vendor.refresh_from_db()
    assert city.vendor.blacklisted_on == dt.date(2026, 11, 20)
    client = city.client("haishu")
    client.post(f"/api/v1/measures/{measure.pk}/withdraw/", {"reason": "申诉成立"}, format="json")
    assert _register(city.client("contractor"), city.project, "HS-GATE-02").status_code == 400
    client.post(f"/api/v1/measures/{second.pk}/withdraw/", {"reason": "申诉成立"}, format="json")
    assert _register(city.client("contractor"), city.project, "HS-GATE-02").status_code == 201
    assert Device.objects.get(serial=gate.serial).vendor_blacklisted_at is None


def test_a_key_persons_score_over_time_for_the_regulators(city, case):
    from tests.factories import engage, person

    manager = engage(
        city.project, city.contractor, person(name="王建国"), category="manager", position="project_manager"
    )
    engage(city.other_project, city.other_contractor, manager.person, category="manager", position="project_manager")
    _issue(city, case, basis="R11", target_person=manager.person)
    body = city.client("haishu").get(f"/api/v1/credit/people/{manager.person_id}/").json()
    assert (body["name"], body["score"]) == ("王建国", 95)
    assert body["id_number"].count("*") == 8
    assert {p["month"]: p["score"] for p in body["history"]}["2026-10"] == 100
    assert (
        city.client("jiangbei").get(f"/api/v1/credit/people/{manager.person_id}/").status_code == 200
    )  # engaged there too
    assert city.client("contractor").get(f"/api/v1/credit/people/{manager.person_id}/").status_code == 403
    assert city.client("haishu").get("/api/v1/credit/people/999999/").status_code == 404
