"""Cases and measures through the API: jurisdiction, every measure kind, replies, the event record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections.engine import rules_run
from inspections.models import Alert, CaseEvent, Measure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]
PDF = b"%PDF-1.4 rectification report"


@pytest.fixture
def case(city):
    rules_run(day=dt.date(2026, 11, 24))
    alert = Alert.objects.get(rule="R01", project=city.project)
    response = city.client("haishu").post(
        "/api/v1/cases/",
        {"project": city.project.permit_no, "title": "未安装考勤设备", "alerts": [alert.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _issue(client, case_id, **fields):
    body = {"kind": "rectification", "issued_on": "2026-11-25", "basis": "R01", "deadline": "2026-12-02"}
    body.update(fields)
    return client.post(f"/api/v1/cases/{case_id}/measures/", body, format="json")


def test_a_case_gathers_the_projects_alerts(city, case):
    assert (case["project"], case["district"], case["state"], case["opened_by"]) == (
        city.project.permit_no,
        "330203",
        "open",
        "haishu",
    )
    assert len(case["alerts"]) == 1
    assert [e["action"] for e in case["events"]] == ["opened"]


def test_a_district_user_cannot_see_or_touch_another_districts_cases(city, case):
    jiangbei = city.client("jiangbei")
    assert jiangbei.get("/api/v1/cases/").json()["count"] == 0
    assert jiangbei.get(f"/api/v1/cases/{case['id']}/").status_code == 404
    assert _issue(jiangbei, case["id"]).status_code == 404
    assert jiangbei.post(f"/api/v1/cases/{case['id']}/close/", {"note": "x"}, format="json").status_code == 404
    opened = jiangbei.post("/api/v1/cases/", {"project": city.project.permit_no, "title": "越权"}, format="json")
    assert opened.status_code == 400
    assert Measure.objects.count() == 0
    measure = _issue(city.client("haishu"), case["id"]).json()
    assert jiangbei.get(f"/api/v1/measures/{measure['id']}/").status_code == 404
    assert (
        jiangbei.post(f"/api/v1/measures/{measure['id']}/withdraw/", {"reason": "x"}, format="json").status_code == 404
    )
    assert jiangbei.get("/api/v1/measures/").json()["count"] == 0


def test_another_projects_alert_or_a_dismissed_one_does_not_join(city):
    rules_run(day=dt.date(2026, 11, 24))
    other = Alert.objects.get(rule="R01", project=city.other_project)
    client = city.client("city")
    response = client.post(
        "/api/v1/cases/", {"project": city.project.permit_no, "title": "x", "alerts": [other.pk]}, format="json"
    )
    assert response.status_code == 400 and "alerts" in response.json()
    own = Alert.objects.get(rule="R01", project=city.project)
    client.post(f"/api/v1/alerts/{own.pk}/dismiss/", {"reason": "设备已安装，数据延迟"}, format="json")
    response = client.post(
        "/api/v1/cases/", {"project": city.project.permit_no, "title": "x", "alerts": [own.pk]}, format="json"
    )
    assert response.status_code == 400
    assert not city.project.cases.exists()


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"kind": "stop_work", "deadline": None}, {"kind": "stop_work", "state": "issued"}),
        ({"kind": "credit", "basis": "R07", "deadline": None}, {"kind": "credit", "points": None}),
        (
            {"kind": "circular", "deadline": None, "document_no": "海建通〔2026〕12号"},
            {"document_no": "海建通〔2026〕12号"},
        ),
        ({"kind": "key_supervision", "deadline": None}, {"kind": "key_supervision"}),
        ({"kind": "penalty", "deadline": None, "fine_yuan": "50000.00"}, {"fine_yuan": 50000}),
        ({"kind": "award_exclusion", "deadline": None}, {"kind": "award_exclusion"}),
        ({}, {"deadline": "2026-12-02", "issuing_body": "海曙区住房和城乡建设局"}),
    ],
)
def test_each_kind_of_measure_is_issued(city, case, fields, shown):
    response = _issue(city.client("haishu"), case["id"], **fields)
    assert response.status_code == 201, response.json()
    body = response.json()
    for key, value in shown.items():
        assert body[key] == value
    assert body["target_enterprise"] == city.contractor.uscc  # the general contractor unless named


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"deadline": None}, "deadline"),
        ({"deadline": "2026-11-20"}, "deadline"),
        ({"issued_on": "2026-11-26"}, "issued_on"),
        ({"kind": "penalty", "deadline": None}, "fine_yuan"),
        ({"kind": "penalty", "fine_yuan": "-5"}, "fine_yuan"),
        ({"kind": "circular", "fine_yuan": "500"}, "fine_yuan"),
        ({"kind": "vendor_blacklist"}, "target_enterprise"),
        ({"kind": "exile"}, "kind"),
        ({"basis": "R42"}, "basis"),
        ({"target_enterprise": "91330200MA0000000X"}, "target_enterprise"),
    ],
)
def test_a_bad_measure_is_refused_and_nothing_is_stored(city, case, fields, field):
    response = _issue(city.client("haishu"), case["id"], **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert Measure.objects.count() == 0


def test_the_contractor_answers_an_order_and_staff_accept(city, case):
    measure = _issue(city.client("haishu"), case["id"]).json()
    contractor = city.client("contractor")
    assert contractor.get("/api/v1/cases/").json()["count"] == 1
    reply = contractor.post(
        f"/api/v1/measures/{measure['id']}/replies/",
        {"text": "已安装人脸识别闸机2台并接入平台", "files": [SimpleUploadedFile("整改报告.pdf", PDF)]},
        format="multipart",
    )
    assert reply.status_code == 201, reply.json()
    assert reply.json()["documents"][0]["original_name"] == "整改报告.pdf"
    again = contractor.post(f"/api/v1/measures/{measure['id']}/replies/", {"text": "再次回复"}, format="json")
    assert again.status_code == 409  # answered, awaiting review
    assert city.client("subcontractor").post(
        f"/api/v1/measures/{measure['id']}/replies/", {"text": "x"}, format="json"
    ).status_code in (403, 404)
    assert contractor.post(f"/api/v1/replies/{reply.json()['id']}/accept/", {}, format="json").status_code == 403
    accepted = city.client("haishu").post(
        f"/api/v1/replies/{reply.json()['id']}/accept/", {"note": "现场复核通过"}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    shown = contractor.get(f"/api/v1/measures/{measure['id']}/").json()
    assert shown["state"] == "closed"
    document = shown["replies"][0]["documents"][0]
    download = city.client("haishu").get(f"/api/v1/measures/{measure['id']}/documents/{document['id']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    events = CaseEvent.objects.filter(case_id=case["id"]).order_by("at", "id")
    assert [(e.action, e.by.username if e.by else None) for e in events] == [
        ("opened", "haishu"),
        ("measure_issued", "haishu"),
        ("reply_submitted", "contractor"),
        ("reply_accepted", "haishu"),
    ]


def test_a_rejected_reply_puts_the_order_back_to_run(city, case):
    measure = _issue(city.client("haishu"), case["id"]).json()
    reply = (
        city.client("contractor")
        .post(f"/api/v1/measures/{measure['id']}/replies/", {"text": "已整改"}, format="json")
        .json()
    )
    no_reason = city.client("haishu").post(f"/api/v1/replies/{reply['id']}/reject/", {}, format="json")
    assert no_reason.status_code == 400
    rejected = city.client("haishu").post(
        f"/api/v1/replies/{reply['id']}/reject/", {"reason": "设备未联网"}, format="json"
    )
    assert rejected.json()["state"] == "rejected"
    assert city.client("contractor").get(f"/api/v1/measures/{measure['id']}/").json()["state"] == "issued"


def test_a_reply_with_a_bad_file_stores_nothing(city, case):
    measure = _issue(city.client("haishu"), case["id"]).json()
    response = city.client("contractor").post(
        f"/api/v1/measures/{measure['id']}/replies/",
        {"text": "已整改", "files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.exe", b"MZ\x90")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert Measure.objects.get(pk=measure["id"]).state == "issued"
    assert not Measure.objects.get(pk=measure["id"]).replies.exists()


def test_the_supervision_firm_issues_its_notice(city, case):
    notice = _issue(city.client("supervisor"), case["id"], kind="supervision_notice", basis="R04")
    assert notice.status_code == 201, notice.json()
    assert notice.json()["issuing_body"] == city.supervisor.name
    assert _issue(city.client("supervisor"), case["id"], kind="stop_work", deadline=None).status_code == 403


def test_a_case_closes_only_when_its_orders_are_done(city, case):
    client = city.client("haishu")
    measure = _issue(client, case["id"]).json()
    assert client.post(f"/api/v1/cases/{case['id']}/close/", {"note": "结案"}, format="json").status_code == 409
    client.post(f"/api/v1/measures/{measure['id']}/withdraw/", {"reason": "误发"}, format="json")
    assert client.post(f"/api/v1/cases/{case['id']}/close/", {"note": ""}, format="json").status_code == 400
    closed = client.post(f"/api/v1/cases/{case['id']}/close/", {"note": "设备已安装，结案"}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert _issue(client, case["id"]).status_code == 409


def test_list_filters_and_query_count(city, case, django_assert_max_num_queries):
    client = city.client("city")
    for kind in ("circular", "key_supervision", "stop_work"):
        _issue(client, case["id"], kind=kind, deadline=None)
    assert client.get("/api/v1/measures/?kind=circular").json()["count"] == 1
    assert client.get("/api/v1/measures/?district=330205").json()["count"] == 0
    assert client.get("/api/v1/measures/?since=2026-11-26").json()["count"] == 0
    assert client.get("/api/v1/cases/?state=closed").json()["count"] == 0
    assert client.get("/api/v1/measures/?kind=exile").status_code == 400
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/measures/").json()["count"] == 3
