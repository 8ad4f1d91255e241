"""The bank's payment results (银行代发结果): "paid" is what the bank says. A CSV (UTF-8 or GBK) or a
workbook, matched to the sheet's lines by card and holder; a bad row is named and nothing is recorded."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tests.factories import engage, id_number, person
from wages.models import WageLine
from wages.services import LineInput, wage_sheet_prepare

pytestmark = pytest.mark.django_db

CHEN_CARD, LI_CARD = "6222021234567890128", "6217000010001234567"
HEADER = "账号,户名,金额,状态,日期"


@pytest.fixture
def sheet(city):
    chen = engage(city.project, city.subcontractor, who=person(id_number("330203", "19910101", 41), "陈大勇"))
    li = engage(city.project, city.subcontractor, who=person(id_number("330203", "19920202", 52), "李小军"))
    return wage_sheet_prepare(
        user=city.users["subcontractor"],
        project=city.project,
        employer=city.subcontractor,
        month=dt.date(2026, 10, 1),
        lines=[
            LineInput(person=chen.person, due="5200", paid="5200", paid_on=dt.date(2026, 11, 10), card=CHEN_CARD),
            LineInput(person=li.person, due="4800", paid="4800", paid_on=dt.date(2026, 11, 10), card=LI_CARD),
        ],
    )


def csv_file(*rows: str, encoding: str = "utf-8") -> io.BytesIO:
    upload = io.BytesIO("\n".join([HEADER, *rows]).encode(encoding))
    upload.name = "代发结果.csv"
    return upload


def send(city, sheet, upload, who="contractor"):
    return city.client(who).post(f"/api/v1/wage-sheets/{sheet.pk}/bank-results/", {"file": upload}, format="multipart")


def test_the_banks_csv_in_gbk_marks_what_was_paid_and_what_was_refused(city, sheet):
    upload = csv_file(
        f"{CHEN_CARD},陈大勇,5199.00,成功,2026-11-10",  # one yuan short of the sheet: recorded as the bank says
        f"{LI_CARD},李小军,4800.00,失败,",
        encoding="gbk",
    )
    answer = send(city, sheet, upload)
    assert answer.status_code == 200, answer.content
    lines = {line["name"]: line for line in answer.json()["lines"]}
    assert (lines["陈大勇"]["bank_status"], lines["陈大勇"]["bank_amount"]) == ("paid", 5199.0)
    assert (lines["李小军"]["bank_status"], lines["李小军"]["bank_paid_on"]) == ("failed", None)
    chen = WageLine.objects.get(person__name="陈大勇")
    assert chen.paid == Decimal("5200.00") and chen.bank_amount == Decimal("5199.00")  # the sheet's claim kept apart


def test_a_workbook_of_results_is_read_as_well(city, sheet):
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append([CHEN_CARD, "陈大勇", 5200, "成功", dt.datetime(2026, 11, 10)])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "代发结果.xlsx"
    assert send(city, sheet, upload).status_code == 200
    assert WageLine.objects.get(person__name="陈大勇").bank_status == "paid"
    assert WageLine.objects.get(person__name="李小军").bank_status == ""  # no row for him: no result


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", "6222000000000000000,陈大勇,5200,成功,2026-11-10"], "第 3 行"),
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", f"{LI_CARD},陈大勇,4800,成功,2026-11-10"], "李小军"),
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10"], "已有一行"),
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", f"{LI_CARD},李小军,4800,处理中,"], "第 3 行"),
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", f"{LI_CARD},李小军,四千八,成功,2026-11-10"], "第 3 行"),
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", f"{LI_CARD},李小军,4800,成功,2026-09-30"], "第 3 行"),
        ([f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10", f"{LI_CARD},李小军,4800,成功,"], "第 3 行"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_recorded(city, sheet, rows, says):
    answer = send(city, sheet, csv_file(*rows))
    assert answer.status_code == 400, answer.content
    assert any(says in reason for reason in answer.json()["file"]), answer.json()
    assert set(WageLine.objects.values_list("bank_status", flat=True)) == {""}


def test_a_file_that_is_not_the_banks_is_refused(city, sheet):
    wrong = io.BytesIO("卡号,姓名\n1,2".encode())
    wrong.name = "x.csv"
    assert "账号、户名、金额、状态、日期" in send(city, sheet, wrong).json()["file"][0]
    binary = io.BytesIO(b"\xff\xfe\x00garbage")
    binary.name = "x.xlsx"
    assert send(city, sheet, binary).status_code == 400
    assert send(city, sheet, csv_file()).status_code == 400  # no rows
    assert set(WageLine.objects.values_list("bank_status", flat=True)) == {""}


def test_only_the_general_contractor_records_the_banks_results(city, sheet):
    row = f"{CHEN_CARD},陈大勇,5200,成功,2026-11-10"
    assert send(city, sheet, csv_file(row), who="subcontractor").status_code == 403  # the employer cannot say it
    assert send(city, sheet, csv_file(row), who="haishu").status_code == 403
    assert send(city, sheet, csv_file(row), who="other_contractor").status_code == 404
    assert set(WageLine.objects.values_list("bank_status", flat=True)) == {""}
