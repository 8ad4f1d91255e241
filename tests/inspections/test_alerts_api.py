"""GET /api/v1/alerts/ with filters, acknowledge and dismiss (integration API)."""

from __future__ import annotations

import datetime as dt

import pytest

from inspections.engine import rules_run
from inspections.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted(city):
    rules_run(day=dt.date(2026, 11, 24))
    return Alert.objects.get(rule="R01", project=city.project)


def test_the_list_has_the_contract_fields_and_filters(city, alerted):
    client = city.client("city")
    body = client.get("/api/v1/alerts/?rule=R01&district=330203").json()
    assert body["count"] == 1
    alert = body["results"][0]
    assert set(alert) >= {
        "id",
        "rule",
        "project",
        "subject",
        "period_start",
        "period_end",
        "evidence",
        "state",
        "scored",
        "first_detected",
        "last_seen",
    }
    assert (alert["rule"], alert["project"], alert["state"], alert["period_start"]) == (
        "R01",
        city.project.permit_no,
        "open",
        "2026-11-24",
    )
    assert alert["evidence"]["devices_in_service"] == 0
    assert client.get(f"/api/v1/alerts/?rule=R01&project={city.other_project.permit_no}").json()["count"] == 1
    assert client.get("/api/v1/alerts/?state=dismissed").json()["count"] == 0
    assert client.get("/api/v1/alerts/?since=2026-11-25").json()["count"] == 0
    assert client.get("/api/v1/alerts/?state=bogus").status_code == 400


def test_each_district_sees_its_own(city, alerted):
    assert city.client("haishu").get("/api/v1/alerts/?rule=R01").json()["count"] == 1
    assert city.client("jiangbei").get(f"/api/v1/alerts/{alerted.pk}/").status_code == 404


def test_staff_acknowledge_then_dismiss_with_a_reason(city, alerted):
    client = city.client("haishu")
    acknowledged = client.post(f"/api/v1/alerts/{alerted.pk}/acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.json()["state"] == "acknowledged"
    assert client.post(f"/api/v1/alerts/{alerted.pk}/acknowledge/").status_code == 409
    assert client.post(f"/api/v1/alerts/{alerted.pk}/dismiss/", {}, format="json").status_code == 400
    dismissed = client.post(f"/api/v1/alerts/{alerted.pk}/dismiss/", {"reason": "设备已到货，明日安装"}, format="json")
    assert dismissed.status_code == 200
    assert (dismissed.json()["state"], dismissed.json()["dismissed_reason"]) == ("dismissed", "设备已到货，明日安装")
    alerted.refresh_from_db()
    assert alerted.dismissed_by == city.users["haishu"]


def test_enterprises_read_but_do_not_triage(city, alerted):
    client = city.client("contractor")
    assert client.get("/api/v1/alerts/?rule=R01").json()["count"] == 1
    assert client.post(f"/api/v1/alerts/{alerted.pk}/acknowledge/").status_code == 403
    assert client.post(f"/api/v1/alerts/{alerted.pk}/dismiss/", {"reason": "x"}, format="json").status_code == 403
    assert city.client("jiangbei").post(f"/api/v1/alerts/{alerted.pk}/acknowledge/").status_code == 404


def test_the_alert_list_costs_a_fixed_number_of_queries(city, alerted, django_assert_max_num_queries):
    client = city.client("city")
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/alerts/?rule=R01").json()["count"] == 2
