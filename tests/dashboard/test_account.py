"""我的账号 (issue 25): the 填报人 of an official workbook is the account holder's name, never its login;
an account without a name is asked for it on the reports page and sets it on its own page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from projects.models import User
from tests.dashboard.pages import signed_in, text

pytestmark = pytest.mark.django_db


def _reporter_line(content: bytes) -> str:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return next(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "填报人" in c.value)


def test_a_nameless_account_is_asked_for_its_name_and_the_workbook_never_prints_its_login(city):
    client = signed_in(city, "haishu")
    page = text(client.get("/reports/", secure=True))
    assert "您的账号尚未填写姓名" in page
    annex1 = client.get("/reports/annex1.xlsx?district=330203&from=2026-11-01&to=2026-11-30", secure=True)
    assert "haishu" not in _reporter_line(annex1.content)

    refused = client.post("/account/", {"name": "王", "phone": "0574-8718abcd"}, secure=True, follow=True)
    form = refused.content.decode()
    assert "请填写姓名" in form and "联系电话只能包含数字" in form and 'value="0574-8718abcd"' in form
    assert User.objects.get(username="haishu").last_name == ""

    saved = client.post("/account/", {"name": "王海燕", "phone": "0574-87180002", "next": "/reports/"}, secure=True)
    assert saved["Location"] == "/reports/"
    assert "您的账号尚未填写姓名" not in text(client.get("/reports/", secure=True))
    annex1 = client.get("/reports/annex1.xlsx?district=330203&from=2026-11-01&to=2026-11-30", secure=True)
    assert _reporter_line(annex1.content).startswith("填报人：王海燕　　联系方式：0574-87180002")
    assert "王海燕" in text(client.get("/todo/", secure=True))  # the header names the holder


def test_an_account_changes_only_its_own_name(city):
    client = signed_in(city, "contractor")
    client.post("/account/", {"name": "张国强", "phone": ""}, secure=True)
    assert User.objects.get(username="contractor").last_name == "张国强"
    assert User.objects.exclude(username="contractor").filter(last_name="张国强").count() == 0
    assert (
        client.post("/account/", {"name": "张国强", "next": "https://evil.example/"}, secure=True)["Location"]
        == "/account/"
    )  # never sent away
