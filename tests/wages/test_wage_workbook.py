"""The wage sheet workbook: the published template, and a filled one uploaded by the employer. A malformed or
hostile workbook is refused with its rows' (or cells') reasons and nothing is imported."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import engage, id_number, person
from wages.models import WageLine, WageSheet
from wages.workbook import COLUMNS

pytestmark = pytest.mark.django_db

HEADER = [header for header, _field in COLUMNS]
WORKER = id_number("330203", "19910101", 41)
OTHER = id_number("330203", "19920202", 52)
CARD = "6222021234567890128"


@pytest.fixture
def crew(city):
    engage(city.project, city.subcontractor, who=person(WORKER, "分包工人乙"), entered_on=dt.date(2026, 9, 1))
    engage(city.project, city.subcontractor, who=person(OTHER, "分包工人丙"), entered_on=dt.date(2026, 9, 1))


def xlsx(*rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "工资支付表.xlsx"
    return out


def upload(city, file, who="subcontractor"):
    body = {"project": city.project.permit_no, "employer": city.subcontractor.uscc, "month": "2026-10", "file": file}
    return city.client(who).post("/api/v1/wage-sheets/import/", body, format="multipart")


GOOD = (WORKER, "分包工人乙", 5200, 5200, dt.datetime(2026, 11, 10), CARD, "是")


def test_the_template_is_the_columns_on_a4_landscape_with_the_header_on_every_page(city):
    answer = city.client("subcontractor").get("/api/v1/wage-sheets/template.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert [cell.value for cell in sheet[1]] == HEADER
    assert (int(sheet.page_setup.paperSize), sheet.page_setup.orientation) == (9, "landscape")  # A4
    assert sheet.print_title_rows == "$1:$1"
    assert sheet["A2"].number_format == "@"  # an ID number typed in stays text


def test_a_filled_template_becomes_the_sheet(city, crew):
    answer = upload(city, xlsx(GOOD, (OTHER, "分包工人丙", "4800.50", None, None, "6217 0000 1000 1234 567", "否")))
    assert answer.status_code == 201, answer.content
    lines = {line["name"]: line for line in answer.json()["lines"]}
    assert lines["分包工人乙"]["paid_on"] == "2026-11-10" and lines["分包工人乙"]["through_special_account"] is True
    assert lines["分包工人丙"]["due"] == 4800.5 and lines["分包工人丙"]["paid"] == 0.0
    assert lines["分包工人丙"]["through_special_account"] is False
    assert WageLine.objects.count() == 2


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        # another project's worker, on row 3
        ([GOOD, (id_number("330205", "19800101", 9), "外人", 100, 0, None, CARD, "是")], "第 3 行"),
        ([GOOD, GOOD], "第 3 行：分包工人乙 已有一行"),  # the same worker twice
        ([GOOD, (OTHER, "张冒名", 100, 0, None, CARD, "是")], "第 3 行：姓名 张冒名 与身份证号登记的姓名不符"),
        ([GOOD, (OTHER, "分包工人丙", 100, 100, "上个月", CARD, "是")], "第 3 行"),
        ([GOOD, (OTHER, "分包工人丙", 100, 0, None, CARD, "也许")], "第 3 行"),
        ([GOOD, (OTHER, "分包工人丙", "=C2*2", 0, None, CARD, "是")], "C3"),  # a formula
    ],
)
def test_a_bad_row_is_named_and_nothing_is_imported(city, crew, rows, says):
    answer = upload(city, xlsx(*rows))
    assert answer.status_code == 400, answer.content
    reasons = answer.json().get("lines", []) + answer.json().get("file", [])
    assert any(says in reason for reason in reasons), reasons
    assert WageSheet.objects.count() == 0 and WageLine.objects.count() == 0


def test_the_wrong_columns_an_empty_sheet_or_a_file_that_is_no_workbook_are_refused(city, crew):
    wrong = upload(city, xlsx(GOOD, header=["姓名", "身份证号", "金额"]))
    assert wrong.status_code == 400 and "身份证号、姓名、应发金额（元）" in wrong.json()["file"][0]
    empty = upload(city, xlsx())
    assert empty.status_code == 400 and "没有" in empty.json()["file"][0]
    pdf = io.BytesIO(b"%PDF-1.4 not a workbook")
    pdf.name = "工资.xlsx"
    refused = upload(city, pdf)
    assert refused.status_code == 400 and "xlsx" in refused.json()["file"][0]
    assert WageSheet.objects.count() == 0


def test_a_file_over_10_mib_is_refused_as_it_streams_in(city, crew):
    big = io.BytesIO(b"PK" + b"\0" * (10 * 1024 * 1024 + 10))
    big.name = "工资.xlsx"
    assert upload(city, big).status_code == 413
    assert WageSheet.objects.count() == 0


def test_only_the_employer_uploads_its_sheet(city, crew):
    assert upload(city, xlsx(GOOD), who="haishu").status_code == 403
    assert upload(city, xlsx(GOOD), who="jiangbei").status_code == 400  # the project: not in its reach
    assert upload(city, xlsx(GOOD), who="contractor").status_code == 400  # the subcontractor's name: not its own
    assert WageSheet.objects.count() == 0
