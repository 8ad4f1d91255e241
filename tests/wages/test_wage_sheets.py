"""Wage records (issue 27, first part): the special account, the owner's deposits, the monthly wage sheet
prepared by the employer from valid attendance and confirmed by the general contractor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from inspections.engine import rules_run
from smz_platform.common.errors import Conflict
from tests.factories import engage, id_number, person
from wages.models import LabourCostDeposit, WageAccount, WageLine, WageSheet
from wages.services import (
    LineInput,
    labour_deposit_record,
    wage_account_open,
    wage_sheet_confirm,
    wage_sheet_prepare,
)

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOVEMBER = dt.date(2026, 11, 1)
CARD = "6222 0212 3456 7890 128"


def at(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def punch(record_id: str, number: str, when: dt.datetime) -> dict:
    return {
        "record_id": record_id,
        "id_number": number,
        "punched_at": when.isoformat(),
        "direction": "in",
        "method": "face",
        "liveness": True,
    }


@pytest.fixture
def crew(city, gate):
    """Two of the subcontractor's workers on Haishu's project: 陈大勇 punched at the gate on the 10th and 11th
    as it happened, and a punch of the 12th, made while the gate was online, sent on the 20th (back-filled:
    R13 finds it that night and it does not count); 李小军 never."""
    chen_number = id_number("341221", "19800315", 417)
    chen = engage(city.project, city.subcontractor, who=person(chen_number, "陈大勇"), entered_on=dt.date(2026, 10, 1))
    li = engage(city.project, city.subcontractor, who=person(name="李小军"), entered_on=dt.date(2026, 10, 1))
    for day in (10, 11):
        with time_machine.travel(at(day, 8), tick=False):
            assert gate.punches([punch(f"P-{day}", chen_number, at(day, 7))]).status_code == 200
    for minutes in range(0, 100, 20):  # the gate in contact on the 12th around 7:00: no offline backlog
        with time_machine.travel(at(12, 6) + dt.timedelta(minutes=minutes), tick=False):
            gate.heartbeat()
    with time_machine.travel(at(20, 9), tick=False):
        assert gate.punches([punch("P-12", chen_number, at(12, 7))]).status_code == 200
    with time_machine.travel(at(21, 1), tick=False):
        rules_run(day=dt.date(2026, 11, 20))  # the night that finds the back-filled punch (R13)
    return chen, li


def lines(chen, li, **chen_fields) -> list[LineInput]:
    first = {"due": "6000", "paid": "6000", "paid_on": dt.date(2026, 12, 1), "card": CARD, **chen_fields}
    return [
        LineInput(person=chen.person, **first),
        LineInput(person=li.person, due="0", paid="0", card="6217000010001234567"),
    ]


def prepare(city, lines: list[LineInput], who: str = "subcontractor"):
    """The subcontractor's November sheet (its own workers on Haishu's project)."""
    return wage_sheet_prepare(
        user=city.users[who], project=city.project, employer=city.subcontractor, month=NOVEMBER, lines=lines
    )


def test_the_sheet_takes_each_workers_valid_days_from_attendance_never_the_back_filled_day(city, crew):
    chen, li = crew
    sheet = prepare(city, lines(chen, li))
    by_name = {line.person.name: line for line in sheet.lines.select_related("person")}
    assert by_name["陈大勇"].attended_days == 2  # the 10th and 11th; the 12th arrived 8 days late
    assert by_name["李小军"].attended_days == 0
    assert (by_name["陈大勇"].due, by_name["陈大勇"].paid) == (Decimal("6000.00"), Decimal("6000.00"))
    assert by_name["陈大勇"].engagement == chen
    assert (sheet.state, sheet.prepared_by, sheet.confirmed_at) == ("prepared", city.users["subcontractor"], None)


def test_the_bank_card_is_encrypted_and_masked_and_only_revealed_by_its_method(city, crew):
    chen, li = crew
    sheet = prepare(city, lines(chen, li))
    line = sheet.lines.get(person=chen.person)
    assert line.card_masked == "6222 **** **** 0128"
    assert "62220212345678" not in line.card_encrypted
    assert line.reveal_card() == "6222021234567890128"


def test_a_worker_of_another_employer_or_project_is_refused_by_line_number_and_nothing_is_written(city, crew):
    chen, _li = crew
    stranger = engage(city.other_project, city.other_contractor, who=person(name="赵外人"))
    contractors_own = engage(city.project, city.contractor, who=person(name="钱总包"))
    with pytest.raises(ValidationError) as refused:
        prepare(
            city,
            [
                LineInput(person=chen.person, due="100", card=CARD),
                LineInput(person=stranger.person, due="100", paid="100", paid_on=dt.date(2026, 11, 30), card=CARD),
                LineInput(person=contractors_own.person, due="100", card=CARD),
            ],
        )
    reasons = refused.value.message_dict["lines"]
    assert reasons == [
        "第 2 行：赵外人 2026-11 未以本单位人员身份在本项目登记进场。",
        "第 3 行：钱总包 2026-11 未以本单位人员身份在本项目登记进场。",
    ]
    assert WageSheet.objects.count() == 0 and WageLine.objects.count() == 0


def test_a_worker_who_left_before_the_month_or_came_after_it_has_no_line(city, crew):
    chen, _li = crew
    gone = engage(
        city.project,
        city.subcontractor,
        who=person(name="孙已退"),
        entered_on=dt.date(2026, 9, 1),
        exited_on=dt.date(2026, 10, 31),
    )
    later = engage(city.project, city.subcontractor, who=person(name="周后来"), entered_on=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError) as refused:
        prepare(city, [LineInput(person=p.person, due="1", card=CARD) for p in (chen, gone, later)])
    assert [r.split("：")[0] for r in refused.value.message_dict["lines"]] == ["第 2 行", "第 3 行"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"due": "-1"}, "not an amount"),
        ({"due": "12.345"}, "two decimals"),
        ({"due": "abc"}, "not an amount"),
        ({"due": "NaN"}, "not an amount"),
        ({"paid": "100", "paid_on": None}, "pay date"),
        ({"paid_on": dt.date(2026, 12, 25)}, "future"),
        ({"paid_on": dt.date(2026, 10, 31)}, "before the month"),
        ({"card": "1234"}, "12 to 19 digits"),
        ({"card": "6222abcd34567890"}, "12 to 19 digits"),
    ],
)
def test_a_bad_line_is_refused_with_its_number_and_reason_and_nothing_is_written(city, crew, fields, reason):
    chen, li = crew
    with (
        time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI), tick=False),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        prepare(city, lines(chen, li, **fields))
    (message,) = refused.value.message_dict["lines"]
    assert message.startswith("line 1") and reason in message, message
    assert WageSheet.objects.count() == 0


def test_a_worker_twice_on_one_sheet_is_refused(city, crew):
    chen, li = crew
    with pytest.raises(ValidationError) as refused:
        prepare(city, [*lines(chen, li), LineInput(person=chen.person, due="1", card=CARD)])
    assert refused.value.message_dict["lines"] == ["第 3 行：陈大勇 已有一行。"]


def test_a_month_not_begun_is_refused_and_a_second_sheet_for_the_month_is_a_conflict(city, crew):
    chen, li = crew
    with pytest.raises(ValidationError):
        wage_sheet_prepare(
            user=city.users["subcontractor"],
            project=city.project,
            employer=city.subcontractor,
            month=dt.date(2027, 1, 1),
            lines=lines(chen, li),
        )
    prepare(city, lines(chen, li))
    with pytest.raises(Conflict):
        prepare(city, lines(chen, li))
    assert WageSheet.objects.count() == 1 and WageLine.objects.count() == 2


def test_only_the_employer_itself_prepares_its_sheet(city, crew):
    chen, li = crew
    attempt = {"project": city.project, "employer": city.subcontractor, "month": NOVEMBER, "lines": lines(chen, li)}
    for who in ("contractor", "supervisor", "haishu", "city"):  # they read the project, but are not the employer
        with pytest.raises(ValidationError):
            wage_sheet_prepare(user=city.users[who], **attempt)
    for who in ("other_contractor", "jiangbei"):  # the project is not theirs to read: not found
        with pytest.raises(Http404):
            wage_sheet_prepare(user=city.users[who], **attempt)
    assert WageSheet.objects.count() == 0


def test_the_general_contractor_confirms_once_and_nobody_else_confirms(city, crew):
    chen, li = crew
    sheet = prepare(city, lines(chen, li))
    for who in ("subcontractor", "haishu", "city"):  # they read it, but do not confirm it
        with pytest.raises(PermissionDenied):
            wage_sheet_confirm(user=city.users[who], sheet=sheet)
    for who in ("supervisor", "other_contractor", "jiangbei"):  # not theirs to read: not found
        with pytest.raises(Http404):
            wage_sheet_confirm(user=city.users[who], sheet=sheet)
    confirmed = wage_sheet_confirm(user=city.users["contractor"], sheet=sheet)
    assert (confirmed.state, confirmed.confirmed_by) == ("confirmed", city.users["contractor"])
    first_at = confirmed.confirmed_at
    with pytest.raises(Conflict):
        wage_sheet_confirm(user=city.users["contractor"], sheet=sheet)  # a second click, or a stale page
    sheet.refresh_from_db()
    assert sheet.confirmed_at == first_at


def test_each_account_reads_the_lines_its_scope_reaches(city, crew):
    chen, li = crew
    prepare(city, lines(chen, li))
    seen = {who: WageLine.objects.restrict(city.users[who]).count() for who in city.users}
    assert seen == {
        "city": 2,
        "haishu": 2,
        "jiangbei": 0,
        "contractor": 2,  # the general contractor reads every line of its project
        "subcontractor": 2,  # the employer its own
        "supervisor": 0,
        "vendor": 0,
        "other_contractor": 0,
    }


def test_the_special_account_is_opened_by_the_general_contractor_once_with_its_number_masked(city):
    attempt = {
        "project": city.project,
        "bank": "中国建设银行宁波海曙支行",
        "account_name": "宁波海曙建工集团有限公司",
        "number": "3310 1995 3010 5001 2345",
        "opened_on": dt.date(2026, 9, 1),
    }
    for who in ("subcontractor", "haishu", "city"):
        with pytest.raises(PermissionDenied):
            wage_account_open(user=city.users[who], **attempt)
    with pytest.raises(Http404):
        wage_account_open(user=city.users["other_contractor"], **attempt)
    account = wage_account_open(user=city.users["contractor"], **attempt)
    assert account.number_masked == "3310 **** **** 2345"
    assert "33101995" not in account.number_encrypted and account.reveal_number() == "33101995301050012345"
    with pytest.raises(Conflict):
        wage_account_open(user=city.users["contractor"], **attempt)
    with pytest.raises(ValidationError) as refused:
        wage_account_open(user=city.users["contractor"], **{**attempt, "project": city.project, "number": "12ab"})
    assert "number" in refused.value.message_dict
    assert WageAccount.objects.count() == 1


def test_a_deposit_needs_the_account_a_positive_amount_and_whole_months(city):
    contractor = city.users["contractor"]
    deposit = {
        "project": city.project,
        "paid_on": dt.date(2026, 11, 5),
        "amount": "120000",
        "first_month": dt.date(2026, 11, 1),
        "last_month": dt.date(2026, 11, 30),
    }
    with pytest.raises(ValidationError) as refused:
        labour_deposit_record(user=contractor, **deposit)
    assert "project" in refused.value.message_dict  # no account yet
    wage_account_open(
        user=contractor,
        project=city.project,
        bank="建设银行",
        account_name="总包",
        number="33101995301050012345",
        opened_on=dt.date(2026, 9, 1),
    )
    for bad in (
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "1e400"},
        {"first_month": dt.date(2026, 12, 1), "last_month": dt.date(2026, 11, 1)},
    ):
        with pytest.raises(ValidationError):
            labour_deposit_record(user=contractor, **{**deposit, **bad})
    with pytest.raises(PermissionDenied):
        labour_deposit_record(user=city.users["subcontractor"], **deposit)
    made = labour_deposit_record(user=contractor, **deposit)
    assert (made.amount, made.first_month, made.last_month) == (Decimal("120000.00"), NOVEMBER, NOVEMBER)
    assert LabourCostDeposit.objects.count() == 1
