"""The wage rules W1–W7 driven as the parties would: punches through the device API, wage sheets through the
wage API and the uploaded workbook, the bank's file through its upload, the nights through `run_rules`,
and the findings read through the alerts API. Each boundary the issue names is a case: paid one yuan short,
paid on the pay day versus the day after, a worker whose only punches were back-filled."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from inspections.models import Alert
from inspections.rules import rule
from inspections.selectors import policies_in_force
from inspections.services.policies import policy_change
from projects.services.people import engagement_exit
from tests.factories import engage, person
from tests.wages.conftest import CARDS, CHEN, LI, NAMES, PAY_DAY, ZHAO, night
from wages.models import ExitSettlement, LabourCostDeposit
from wages.services import labour_contract_record

pytestmark = pytest.mark.django_db


def line(number, due, paid="0", paid_on=None, **more):
    row = {"id_number": number, "due": due, "paid": paid, "card": CARDS[number], **more}
    if paid_on:
        row["paid_on"] = paid_on
    return row


def prepare(city, lines, month="2026-10"):
    body = {"project": city.project.permit_no, "employer": city.subcontractor.uscc, "month": month, "lines": lines}
    answer = city.client("subcontractor").post("/api/v1/wage-sheets/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def bank(city, sheet, *rows):
    upload = io.BytesIO("\n".join(["账号,户名,金额,状态,日期", *rows]).encode())
    upload.name = "代发结果.csv"
    answer = city.client("contractor").post(
        f"/api/v1/wage-sheets/{sheet['id']}/bank-results/", {"file": upload}, format="multipart"
    )
    assert answer.status_code == 200, answer.content


def paid_row(number, amount, day):
    return f"{CARDS[number]},{NAMES[number]},{amount},成功,{day}"


def alerts(city, rule, who="haishu"):
    """The live alerts of `rule` on Haishu's project as district staff read them."""
    answer = city.client(who).get("/api/v1/alerts/", {"rule": rule, "project": city.project.permit_no})
    assert answer.status_code == 200, answer.content
    return [a for a in answer.json()["results"] if a["state"] in ("open", "acknowledged")]


def sentence(found: dict) -> str:
    """The finding as the triage page says it (the rule's own sentence)."""
    alert = Alert.objects.get(pk=found["id"])
    return rule(alert.rule).describe(alert)


def test_no_sheet_by_the_pay_day_is_found_the_day_after_and_clears_when_the_sheet_comes(october):
    city = october
    night(PAY_DAY)
    assert alerts(city, "W1") == []  # the pay day itself is still in time
    night(PAY_DAY + dt.timedelta(days=1))
    (found,) = alerts(city, "W1")
    assert (found["subject"], found["evidence"]["workers"], found["evidence"]["worker_days"]) == (
        city.subcontractor.name,
        2,  # 陈 and 李; 赵's back-filled day is no attendance
        5,
    )
    assert "未编制工资支付表" in sentence(found)
    prepare(city, [line(CHEN, "900"), line(LI, "600")])
    night(PAY_DAY + dt.timedelta(days=2))
    assert alerts(city, "W1") == []


def test_paid_one_yuan_short_is_arrears_with_the_amount_and_the_workers(october):
    city = october
    sheet = prepare(
        city,
        [
            line(CHEN, "900", "900", "2026-11-10"),
            line(LI, "600", "600", "2026-11-10"),
        ],
    )
    bank(city, sheet, paid_row(CHEN, "899.00", "2026-11-10"), paid_row(LI, "600.00", "2026-11-10"))
    night(PAY_DAY + dt.timedelta(days=1))
    (found,) = alerts(city, "W3")
    assert (found["evidence"]["workers"], found["evidence"]["amount"]) == (1, "1.00")
    assert found["evidence"]["people"] == [{"name": "陈大勇", "days": 3, "due": "900.00", "paid": "899.00"}]
    assert "欠发1.00元" in sentence(found)


def test_the_sheets_own_paid_is_a_claim_until_the_bank_says_so(october):
    city = october
    prepare(city, [line(CHEN, "900", "900", "2026-11-10"), line(LI, "600", "600", "2026-11-10")])
    night(PAY_DAY + dt.timedelta(days=1))
    (found,) = alerts(city, "W3")
    assert (found["evidence"]["workers"], found["evidence"]["amount"]) == (2, "1500.00")


def test_paid_on_the_pay_day_is_in_time_and_the_day_after_is_not(october):
    city = october
    sheet = prepare(city, [line(CHEN, "900", "900", "2026-11-30"), line(LI, "600", "600", "2026-12-01")])
    bank(city, sheet, paid_row(CHEN, "900", "2026-11-30"), paid_row(LI, "600", "2026-12-01"))
    night(PAY_DAY + dt.timedelta(days=1))
    (found,) = alerts(city, "W3")
    assert [p["name"] for p in found["evidence"]["people"]] == ["李小军"]
    assert (found["evidence"]["amount"], found["evidence"]["still_owed"]) == ("600.00", "0.00")  # paid, late


def test_a_worker_with_valid_days_and_no_line_is_owed_too(october):
    city = october
    sheet = prepare(city, [line(CHEN, "900", "900", "2026-11-10")])
    bank(city, sheet, paid_row(CHEN, "900", "2026-11-10"))
    night(PAY_DAY + dt.timedelta(days=1))
    (found,) = alerts(city, "W3")
    assert (found["evidence"]["workers"], found["evidence"]["unlisted"]) == (1, 1)
    assert found["evidence"]["people"][0]["name"] == "李小军"


def test_a_worker_paid_for_back_filled_days_is_paid_but_not_present(october):
    """赵 was paid for 14 October, whose only punch reached the platform six days late."""
    city = october
    sheet = prepare(
        city,
        [
            line(CHEN, "900", "900", "2026-11-10"),
            line(LI, "600", "600", "2026-11-10"),
            line(ZHAO, "300", "300", "2026-11-10"),
        ],
    )
    assert {x["name"]: x["attended_days"] for x in sheet["lines"]}["赵铁柱"] == 0
    bank(city, sheet, *(paid_row(n, a, "2026-11-10") for n, a in ((CHEN, 900), (LI, 600), (ZHAO, 300))))
    night(dt.date(2026, 11, 2))
    (found,) = alerts(city, "W2")
    assert found["evidence"]["lines"] == [
        {
            "line": found["evidence"]["lines"][0]["line"],
            "name": "赵铁柱",
            "paid": "300.00",
            "days": 0,
            "reason": "当月无有效考勤",
        }
    ]
    assert "当月无有效考勤" in sentence(found)
    assert alerts(city, "W3") == []  # the month is not yet due, and he has no valid day to be owed for


def test_paid_outside_the_special_account_is_found_and_stands(october):
    city = october
    prepare(
        city,
        [line(CHEN, "900", "900", "2026-11-10", through_special_account=False), line(LI, "600")],
    )
    night(dt.date(2026, 11, 2))
    (found,) = alerts(city, "W4")
    assert (found["evidence"]["workers"], found["evidence"]["amount"]) == (1, "900.00")
    # Paid outside the account is what the sheet says; it still pays him (W3 counts it as paid, W4 flags it).
    night(PAY_DAY + dt.timedelta(days=1))
    assert [p["name"] for p in alerts(city, "W3")[0]["evidence"]["people"]] == ["李小军"]
    assert len(alerts(city, "W4")) == 1


def test_months_without_a_labour_cost_deposit(october):
    city = october
    night(dt.date(2026, 11, 2))
    (found,) = alerts(city, "W5")
    assert found["evidence"]["limit"] == 2 and len(found["evidence"]["months"]) >= 2
    opened = city.client("contractor").post(
        f"/api/v1/projects/{city.project.permit_no}/wage-account/",
        {
            "bank": "中国建设银行宁波分行",
            "account_name": "工资专户",
            "number": "33150199501000012345",
            "opened_on": "2026-09-01",
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    answer = city.client("contractor").post(
        f"/api/v1/projects/{city.project.permit_no}/labour-deposits/",
        {"paid_on": "2026-10-05", "amount": "200000", "first_month": "2026-09", "last_month": "2026-10"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    night(dt.date(2026, 11, 3))
    assert alerts(city, "W5") == []
    assert LabourCostDeposit.objects.count() == 1


def test_an_exit_without_settlement_is_flagged_or_refused_as_the_policy_says(october):
    city = october
    yesterday = dt.date.today() - dt.timedelta(days=1)
    exited = yesterday - dt.timedelta(days=1)
    chen = city.project.engagements.get(person__name="陈大勇")
    engagement_exit(user=city.users["contractor"], engagement=chen, exited_on=exited, settlement_confirmed=True)
    night(exited)
    (found,) = alerts(city, "W6")
    assert found["subject"] == "陈大勇" and found["evidence"]["missing"] == ["settlement", "signed", "confirmed"]
    url = f"/api/v1/projects/{city.project.permit_no}/engagements/{chen.pk}/settlement/"
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pdf.name = "退场确认书.pdf"
    answer = city.client("subcontractor").post(
        url,
        {
            "workload": "钢筋工3天",
            "amount": "900",
            "settled_on": dt.date.today().isoformat(),
            "worker_confirmed": True,
            "confirmation": pdf,
        },
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    night(yesterday)
    assert alerts(city, "W6") == []
    # Under a policy that asks for it, the exit is refused until the settlement is recorded.
    policy = policies_in_force().city
    policy_change(
        user=city.users["city"],
        policy=policy,
        values={"exit_requires_settlement": True},
        effective_from=dt.date.today(),
        reason="中山 三(五)",
    )
    li = city.project.engagements.get(person__name="李小军")
    answer = city.client("subcontractor").post(
        f"/api/v1/projects/{city.project.permit_no}/engagements/{li.pk}/exit/",
        {"exited_on": dt.date.today().isoformat(), "settlement_confirmed": True},
        format="json",
    )
    assert answer.status_code == 400 and "退场结算" in str(answer.json()), answer.content
    li.refresh_from_db()
    assert li.exited_on is None


def test_a_worker_without_a_contract_after_thirty_days(city):
    for number in (CHEN, LI, ZHAO):
        engage(city.project, city.subcontractor, who=person(number, NAMES[number]), entered_on=dt.date(2026, 9, 1))
    night(dt.date(2026, 10, 1))  # entered on 1 September: 30 days, not more
    assert alerts(city, "W7") == []
    night(dt.date(2026, 10, 2))
    assert sorted(a["subject"] for a in alerts(city, "W7")) == ["李小军", "赵铁柱", "陈大勇"]
    chen = city.project.engagements.get(person__name="陈大勇")
    labour_contract_record(
        user=city.users["subcontractor"],
        engagement=chen,
        code="HT-1",
        signed_on=dt.date(2026, 9, 1),
        period="task",
        starts_on=dt.date(2026, 9, 1),
        ends_on=None,
        pay_unit="day",
        unit_price="300",
    )
    night(dt.date(2026, 10, 3))
    assert sorted(a["subject"] for a in alerts(city, "W7")) == ["李小军", "赵铁柱"]


def test_another_district_never_sees_the_wage_findings(october):
    city = october
    night(PAY_DAY + dt.timedelta(days=1))
    assert alerts(city, "W1")
    assert alerts(city, "W1", who="jiangbei") == []
    assert alerts(city, "W1", who="other_contractor") == []
    assert policies_in_force().city.wage_pay_day == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"workload": "", "amount": "900", "settled_on": "2026-11-01"}, "workload"),
        ({"workload": "3天", "amount": "-1", "settled_on": "2026-11-01"}, "amount"),
        ({"workload": "3天", "amount": "九百", "settled_on": "2026-11-01"}, "amount"),
        ({"workload": "3天", "amount": "900", "settled_on": "2099-01-01"}, "settled_on"),
        ({"workload": "3天", "amount": "900", "settled_on": "2026-08-01"}, "settled_on"),  # before the entry
        ({"workload": "3天", "amount": "900", "settled_on": "yesterday"}, "settled_on"),
    ],
)
def test_a_bad_settlement_is_answered_on_its_field_and_nothing_is_written(city, body, field):
    chen = engage(city.project, city.subcontractor, who=person(CHEN, NAMES[CHEN]), entered_on=dt.date(2026, 9, 1))
    url = f"/api/v1/projects/{city.project.permit_no}/engagements/{chen.pk}/settlement/"
    answer = city.client("subcontractor").post(url, body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not ExitSettlement.objects.exists()


def test_a_settlement_is_recorded_once_by_its_employer_and_read_within_the_scope(city):
    chen = engage(city.project, city.subcontractor, who=person(CHEN, NAMES[CHEN]), entered_on=dt.date(2026, 9, 1))
    url = f"/api/v1/projects/{city.project.permit_no}/engagements/{chen.pk}/settlement/"
    body = {"workload": "钢筋工3天", "amount": "900", "settled_on": "2026-11-01", "worker_confirmed": True}
    assert city.client("supervisor").post(url, body, format="json").status_code in (403, 404)
    assert city.client("subcontractor").post(url, body, format="json").status_code == 201
    again = city.client("subcontractor").post(url, body, format="json")
    assert again.status_code == 409
    assert city.client("haishu").get(url).json()["amount"] == 900.0
    assert city.client("jiangbei").get(url).status_code == 404
    assert city.client("haishu").get(url + "confirmation").status_code == 404  # no signed paper uploaded
    assert ExitSettlement.objects.count() == 1


def test_a_sheet_paying_a_worker_whose_engagement_the_city_found_false_is_paid_not_engaged(october):
    """李 was on October's sheet; the city then corrects his entry (he came on 1 November: the contractor had
    back-dated it). His October days no longer count and the sheet paid someone not engaged there."""
    from django.test import Client

    from projects.models import Engagement
    from tests.inspections.test_policy_versions import form_of

    city = october
    sheet = prepare(city, [line(CHEN, "900", "900", "2026-11-10"), line(LI, "600", "600", "2026-11-10")])
    bank(city, sheet, paid_row(CHEN, 900, "2026-11-10"), paid_row(LI, 600, "2026-11-10"))
    night(dt.date(2026, 11, 20))
    assert alerts(city, "W2") == []
    engagement = Engagement.objects.get(project=city.project, person__name=NAMES[LI])
    admin = Client()
    admin.force_login(city.users["city"])
    url = f"/admin/projects/engagement/{engagement.pk}/change/"
    form = {**form_of(admin.get(url).content.decode(), "engagement_form"), "entered_on": "2026-11-01"}
    assert admin.post(url, form).status_code == 302
    night(dt.date(2026, 11, 21))
    (found,) = alerts(city, "W2")
    assert [(x["name"], x["days"], x["reason"]) for x in found["evidence"]["lines"]] == [
        ("李小军", 0, "当月未由该单位在本项目登记用工")
    ]
