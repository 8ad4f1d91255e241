"""The admin's one way into the wage sheets (导入工资支付表): a firm imports its month from the published
workbook for a project it takes part in, through the service the API and the wage tab use; a bad row is
named on the form and nothing is imported; a regulator, or a firm on another's project, imports nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.wages.conftest import CARDS, CHEN, LI, NAMES, ZHAO
from tests.wages.test_wage_pages import ROWS, filled_template
from wages.models import WageLine, WageSheet

pytestmark = pytest.mark.django_db

URL = "/admin/wages/wagesheet/import/"


def admin(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def test_the_subcontractor_imports_its_month_in_the_admin_and_the_days_come_from_presence(october):
    city = october
    sub = admin(city, "subcontractor")
    listing = sub.get("/admin/wages/wagesheet/").content.decode()
    assert "导入工资支付表" in listing and URL in listing
    form = sub.get(URL).content.decode()
    assert city.project.name in form and "工资支付表模板" in form
    rows = [*ROWS, [ZHAO, NAMES[ZHAO], 300, 300, dt.datetime(2026, 11, 10), CARDS[ZHAO], "是"]]
    answer = sub.post(URL, {"project": city.project.pk, "month": "2026-10", "file": filled_template(sub, rows)})
    sheet = WageSheet.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/admin/wages/wagesheet/{sheet.pk}/change/")
    days = dict(WageLine.objects.values_list("person__name", "attended_days"))
    assert days == {NAMES[CHEN]: 3, NAMES[LI]: 2, NAMES[ZHAO]: 0}  # 赵's only punches were back-filled
    page = sub.get(answer["Location"]).content.decode()
    assert "已导入" in page and CARDS[CHEN] not in page and "6222 **** **** 0128" in page


def test_a_bad_workbook_is_named_row_by_row_on_the_form_and_nothing_is_imported(october):
    city = october
    sub = admin(city, "subcontractor")
    rows = [ROWS[0], [LI, "冒名者", 600, 600, dt.datetime(2026, 11, 10), CARDS[LI], "是"], ROWS[0]]
    answer = sub.post(URL, {"project": city.project.pk, "month": "2026-10", "file": filled_template(sub, rows)})
    text = answer.content.decode()
    assert answer.status_code == 200 and "第 3 行" in text and "第 4 行" in text, text
    assert not WageSheet.objects.exists()
    future = sub.post(URL, {"project": city.project.pk, "month": "2099-01", "file": filled_template(sub, ROWS)})
    assert "尚未开始" in future.content.decode() and not WageSheet.objects.exists()
    garbled = sub.post(URL, {"project": city.project.pk, "month": "十月", "file": filled_template(sub, ROWS)})
    assert garbled.status_code == 200 and not WageSheet.objects.exists()


def test_a_regulator_or_a_firm_outside_the_project_imports_nothing(october):
    city = october
    assert admin(city, "haishu").get(URL).status_code == 403  # regulators read sheets; firms prepare them
    assert "导入工资支付表" not in admin(city, "haishu").get("/admin/wages/wagesheet/").content.decode()
    other = admin(city, "other_contractor")
    answer = other.post(URL, {"project": city.project.pk, "month": "2026-10", "file": filled_template(other, ROWS)})
    text = answer.content.decode()
    # Its own projects only: Haishu's is not a choice, and the post is refused on the project field.
    assert answer.status_code == 200 and "errorlist" in text and city.project.name not in text
    assert not WageSheet.objects.exists()
