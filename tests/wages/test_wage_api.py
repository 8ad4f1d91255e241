"""The wage API (/api/v1/…wage…): sheets entered and read through the public API as each party would, and
every malformed or hostile body answered with a 4xx naming the problem, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import engage, id_number, person
from wages.models import LabourCostDeposit, WageAccount, WageLine, WageSheet

pytestmark = pytest.mark.django_db

WORKER = id_number("330203", "19910101", 41)
CARD = "6222021234567890128"


@pytest.fixture
def worker(city):
    return engage(city.project, city.subcontractor, who=person(WORKER, "分包工人乙"), entered_on=dt.date(2026, 9, 1))


def sheet_body(city, **fields) -> dict:
    line = {"id_number": WORKER, "due": "5200", "paid": "5200", "paid_on": "2026-11-10", "card": CARD}
    body = {
        "project": city.project.permit_no,
        "employer": city.subcontractor.uscc,
        "month": "2026-10",
        "lines": [line],
    }
    body.update(fields)
    return body


def test_the_employer_enters_its_sheet_and_the_district_and_contractor_read_it_masked(city, worker):
    answer = city.client("subcontractor").post("/api/v1/wage-sheets/", sheet_body(city), format="json")
    assert answer.status_code == 201, answer.content
    sheet = answer.json()
    assert (sheet["month"], sheet["state"], sheet["employer_name"]) == ("2026-10", "prepared", "宁波甬城劳务有限公司")
    (line,) = sheet["lines"]
    assert line["name"] == "分包工人乙" and line["card"] == "6222 **** **** 0128"
    assert line["id_number"] == f"{WORKER[:6]}********{WORKER[-4:]}"
    for who in ("haishu", "contractor", "city"):
        listed = city.client(who).get("/api/v1/wage-sheets/", {"project": city.project.permit_no, "month": "2026-10"})
        assert [s["id"] for s in listed.json()["results"]] == [sheet["id"]], who
        assert CARD not in listed.content.decode() and WORKER not in listed.content.decode()
    for who in ("jiangbei", "other_contractor", "supervisor"):
        assert city.client(who).get(f"/api/v1/wage-sheets/{sheet['id']}/").status_code == 404, who
        assert city.client(who).get("/api/v1/wage-sheets/").json()["results"] == [], who


def test_the_general_contractor_confirms_once(city, worker):
    sheet = city.client("subcontractor").post("/api/v1/wage-sheets/", sheet_body(city), format="json").json()
    assert city.client("subcontractor").post(f"/api/v1/wage-sheets/{sheet['id']}/confirm/").status_code == 403
    confirmed = city.client("contractor").post(f"/api/v1/wage-sheets/{sheet['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    again = city.client("contractor").post(f"/api/v1/wage-sheets/{sheet['id']}/confirm/")
    assert again.status_code == 409 and "已确认" in again.json()["state"][0]


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"lines": []}, "lines", ""),
        ({"lines": "分包工人乙"}, "lines", ""),
        ({"lines": [{"id_number": WORKER}]}, "lines", ""),  # no due, no card
        ({"month": "2026-13"}, "month", "YYYY-MM"),
        ({"month": "2027-01"}, "month", "尚未开始"),
        ({"employer": "91330200000000000X"}, "employer", "信用代码"),
        ({"project": "330205202609010202"}, "project", ""),  # Jiangbei's: not in the subcontractor's reach
        ({"project": "x" * 5000}, "project", ""),
        ({"team": "班" * 100}, "team", ""),
    ],
)
def test_a_malformed_or_hostile_body_is_answered_on_its_field_and_nothing_is_written(city, worker, change, field, says):
    answer = city.client("subcontractor").post("/api/v1/wage-sheets/", sheet_body(city, **change), format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json() and says in str(answer.json()[field]), answer.json()
    assert WageSheet.objects.count() == 0 and WageLine.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ({"id_number": id_number("110105", "19850101", 7)}, "没有该身份证号的登记人员"),  # never registered
        ({"id_number": "123"}, "没有该身份证号的登记人员"),
        ({"due": "-100"}, "不是有效的金额"),
        ({"paid": "5199.999"}, "两位小数"),
        ({"card": "6222-0212-3456"}, "12 至 19 位数字"),
        ({"paid_on": "2026-09-30"}, "早于工资所属月份"),
        ({"paid_on": None}, "支付日期"),
    ],
)
def test_a_bad_line_is_refused_with_its_row_number_and_nothing_is_written(city, worker, line, says):
    good = {"id_number": WORKER, "due": "5200", "paid": "5200", "paid_on": "2026-11-10", "card": CARD}
    other = engage(city.project, city.subcontractor, who=person(name="分包工人丙"), entered_on=dt.date(2026, 9, 1))
    second = {**good, "id_number": other.person.reveal_id_number(), **line}
    answer = city.client("subcontractor").post(
        "/api/v1/wage-sheets/", sheet_body(city, lines=[good, second]), format="json"
    )
    assert answer.status_code == 400, answer.content
    (reason,) = answer.json()["lines"]
    assert reason.startswith("第 2 行") and says in reason, reason
    assert WageSheet.objects.count() == 0 and WageLine.objects.count() == 0


def test_a_firm_cannot_file_a_sheet_in_another_firms_name(city, worker):
    answer = city.client("contractor").post("/api/v1/wage-sheets/", sheet_body(city), format="json")
    assert answer.status_code == 400 and "本企业" in answer.json()["employer"][0]
    assert city.client("haishu").post("/api/v1/wage-sheets/", sheet_body(city), format="json").status_code == 403
    assert WageSheet.objects.count() == 0


def test_the_special_account_and_a_deposit_through_the_api(city):
    path = f"/api/v1/projects/{city.project.permit_no}/wage-account/"
    assert city.client("haishu").get(path).status_code == 404  # none yet
    body = {
        "bank": "建设银行海曙支行",
        "account_name": "宁波海曙建工集团有限公司",
        "number": "3310 1995 3010 5001 2345",
        "opened_on": "2026-09-01",
    }
    assert city.client("subcontractor").post(path, body, format="json").status_code == 403
    assert city.client("contractor").post(path, {**body, "number": "33-10"}, format="json").status_code == 400
    opened = city.client("contractor").post(path, body, format="json")
    assert opened.status_code == 201 and opened.json()["number"] == "3310 **** **** 2345"
    assert city.client("contractor").post(path, body, format="json").status_code == 409
    read = city.client("haishu").get(path)
    assert read.json()["bank"] == "建设银行海曙支行" and "33101995" not in read.content.decode()
    assert WageAccount.objects.count() == 1

    deposits = f"/api/v1/projects/{city.project.permit_no}/labour-deposits/"
    deposit = {"paid_on": "2026-10-08", "amount": "80000", "first_month": "2026-10", "last_month": "2026-11"}
    for bad in ({"amount": "0"}, {"amount": "八万"}, {"first_month": "2026-10-01"}, {"paid_on": "2027-01-01"}):
        answer = city.client("contractor").post(deposits, {**deposit, **bad}, format="json")
        assert answer.status_code == 400, (bad, answer.content)
    assert city.client("subcontractor").post(deposits, deposit, format="json").status_code == 403
    assert city.client("contractor").post(deposits, deposit, format="json").status_code == 201
    listed = city.client("subcontractor").get(deposits).json()
    assert [(d["first_month"], d["last_month"]) for d in listed] == [("2026-10", "2026-11")]
    assert LabourCostDeposit.objects.count() == 1


def test_a_full_card_number_needs_the_permission_of_full_id_numbers_and_is_logged(city, worker):
    from django.contrib.auth.models import Permission

    from projects.models import User
    from smz_platform.common.models import AuditEvent

    sheet = city.client("subcontractor").post("/api/v1/wage-sheets/", sheet_body(city), format="json").json()
    card = f"/api/v1/wage-sheets/{sheet['id']}/lines/{sheet['lines'][0]['id']}/card/"
    refused = city.client("haishu").get(card)
    assert refused.status_code == 403 and "完整身份证号" in refused.json()["detail"]
    for who in ("haishu", "jiangbei"):
        User.objects.get(username=who).user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    assert city.client("jiangbei").get(card).status_code == 404  # the permission does not widen the jurisdiction
    answer = city.client("haishu").get(card)
    assert answer.status_code == 200 and answer.json()["card"] == CARD
    event = AuditEvent.objects.get(action="view_unmasked")
    assert event.user == city.users["haishu"] and event.project_permit_no == city.project.permit_no
    assert AuditEvent.objects.count() == 1
