"""The wage pages as their users work in them: the subcontractor imports its month from the published
workbook on the project's wage tab, the general contractor confirms it and uploads the bank's file, the
district reads the arrears overview and downloads the wage ledger (audited); each sees only what its scope
reads, and bank and ID numbers only masked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from smz_platform.common.models import AuditEvent
from tests.wages.conftest import CARDS, CHEN, LI, NAMES, PAY_DAY, night
from wages.models import WageLine, WageSheet

pytestmark = pytest.mark.django_db


def pages(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def filled_template(client, rows) -> io.BytesIO:
    book = load_workbook(io.BytesIO(client.get("/api/v1/wage-sheets/template.xlsx").content))
    for number, row in enumerate(rows, start=2):  # under the header (the template's cells are preformatted)
        for column, value in enumerate(row, start=1):
            book.active.cell(number, column, value)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "十月工资.xlsx"
    return upload


def bank_file(*rows: str) -> io.BytesIO:
    upload = io.BytesIO("\n".join(["账号,户名,金额,状态,日期", *rows]).encode("gbk"))
    upload.name = "代发结果.csv"
    return upload


ROWS = [
    [CHEN, NAMES[CHEN], 900, 900, dt.datetime(2026, 11, 10), CARDS[CHEN], "是"],
    [LI, NAMES[LI], 600, 600, dt.datetime(2026, 11, 10), CARDS[LI], "是"],
]


def test_the_wage_tab_from_the_upload_to_the_bank_the_arrears_and_the_ledger(october):
    city = october
    url = f"/projects/{city.project.permit_no}/wages/"
    sub = pages(city, "subcontractor")
    page = sub.get(url, {"month": "2026-10"})
    assert page.status_code == 200 and "导入工资支付表" in page.content.decode()
    answer = sub.post(
        url + "sheets/",
        {"month": "2026-10", "employer": city.subcontractor.pk, "team": "", "file": filled_template(sub, ROWS)},
        follow=True,
    )
    text = answer.content.decode()
    assert "已导入" in text, text
    assert "6222 **** **** 0128" in text and CARDS[CHEN] not in text and CHEN not in text
    sheet = WageSheet.objects.get()
    assert "确认此工资支付表" not in text  # the employer cannot confirm its own sheet

    contractor = pages(city, "contractor")
    text = contractor.post(f"/wage-sheets/{sheet.pk}/confirm/", follow=True).content.decode()
    assert "已确认" in text and WageSheet.objects.get().state == "confirmed"
    upload = bank_file(f"{CARDS[CHEN]},陈大勇,900.00,成功,2026-11-10", f"{CARDS[LI]},李小军,599.00,成功,2026-11-10")
    text = contractor.post(f"/wage-sheets/{sheet.pk}/bank-results/", {"file": upload}, follow=True).content.decode()
    assert "2" in text and "银行" in text
    assert WageLine.objects.get(person__name="李小军").bank_amount == 599

    night(PAY_DAY + dt.timedelta(days=1))  # 李 is one yuan short at the pay day
    overview = pages(city, "haishu").get("/arrears/").content.decode()
    assert city.project.name in overview and "1.00" in overview
    assert city.project.name not in pages(city, "jiangbei").get("/arrears/").content.decode()
    assert pages(city, "contractor").get("/arrears/").status_code == 403  # a regulator's page

    ledger = pages(city, "haishu").get(url + "ledger.xlsx")
    assert ledger.status_code == 200
    ws = load_workbook(io.BytesIO(ledger.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [(v[4], v[6], v[7], v[8]) for v in values] == [("李小军", 2, 600, 599), ("陈大勇", 3, 900, 900)]
    assert all(CHEN not in str(v) and CARDS[CHEN] not in str(v) for v in values)
    assert ws.print_title_rows == "$1:$3" and ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert AuditEvent.objects.filter(what__contains="工资台账").count() == 1


def test_a_bad_workbook_is_named_row_by_row_on_the_page_and_nothing_is_imported(october):
    city = october
    sub = pages(city, "subcontractor")
    rows = [ROWS[0], [LI, "冒名者", 600, 600, dt.datetime(2026, 11, 10), CARDS[LI], "是"], ROWS[0]]
    text = sub.post(
        f"/projects/{city.project.permit_no}/wages/sheets/",
        {"month": "2026-10", "employer": city.subcontractor.pk, "file": filled_template(sub, rows)},
        follow=True,
    ).content.decode()
    assert "第 3 行" in text and "第 4 行" in text, text
    assert not WageSheet.objects.exists()


def test_another_districts_staff_and_firms_never_reach_the_wage_tab(october):
    city = october
    url = f"/projects/{city.project.permit_no}/wages/"
    for who in ("jiangbei", "other_contractor"):
        assert pages(city, who).get(url).status_code == 404, who
        assert pages(city, who).get(url + "ledger.xlsx").status_code == 404, who
