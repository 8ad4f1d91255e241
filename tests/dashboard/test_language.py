"""The language is the account's, not the browser's; error pages speak it in the site's layout (issue 15)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from projects.models import User

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def signed_in(user: User) -> Client:
    client = Client(**ENGLISH_BROWSER)
    client.force_login(user)
    return client


def test_an_english_browser_gets_the_chinese_pages(city):
    page = Client(**ENGLISH_BROWSER).get("/login/", secure=True).content.decode()
    assert "用户名" in page and "Username" not in page
    page = signed_in(city.users["haishu"]).get("/projects/", secure=True).content.decode()
    assert "退出登录" in page or "登出" in page or "退出" in page
    assert "Log out" not in page


def test_an_account_switches_its_pages_to_english_and_back_in_the_header(city):
    client = signed_in(city.users["haishu"])
    answer = client.post("/language/", {"language": "en", "next": "/projects/"}, secure=True)
    assert answer.status_code == 302 and answer["Location"] == "/projects/"
    assert User.objects.get(username="haishu").language == "en"
    assert "Log out" in client.get("/projects/", secure=True).content.decode()
    # Another device of the same account: the setting follows the account, not the browser.
    other = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    other.force_login(User.objects.get(username="haishu"))
    assert "Log out" in other.get("/projects/", secure=True).content.decode()
    client.post("/language/", {"language": "zh-hans", "next": "/projects/"}, secure=True)
    assert "Log out" not in client.get("/projects/", secure=True).content.decode()


def test_a_language_not_offered_is_refused_in_chinese_and_nothing_changes(city):
    client = signed_in(city.users["haishu"])
    answer = client.post("/language/", {"language": "fr", "next": "/projects/"}, secure=True)
    assert answer.status_code == 400
    assert "请选择" in answer.content.decode()
    assert User.objects.get(username="haishu").language == "zh-hans"


def test_the_switch_never_sends_anyone_to_another_site(city):
    client = signed_in(city.users["haishu"])
    answer = client.post("/language/", {"language": "zh-hans", "next": "https://evil.example/phish"}, secure=True)
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_the_switch_needs_the_forms_csrf_token(city):
    client = Client(enforce_csrf_checks=True, **ENGLISH_BROWSER)
    client.force_login(city.users["haishu"])
    answer = client.post("/language/", {"language": "en"}, secure=True)
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "表单已过期" in page and "Forbidden" not in page
    assert User.objects.get(username="haishu").language == "zh-hans"


def test_a_missing_page_answers_in_chinese_in_the_sites_layout(city):
    answer = signed_in(city.users["haishu"]).get("/projects/NO-SUCH-PERMIT/", secure=True)
    page = answer.content.decode()
    assert answer.status_code == 404
    assert "页面不存在" in page and "返回首页" in page
    assert 'class="top"' in page  # the site's header, with its way back
    assert "Not Found" not in page


def test_a_page_of_another_jurisdiction_answers_in_chinese(city):
    answer = signed_in(city.users["haishu"]).get(f"/districts/{city.jiangbei.code}/", secure=True)
    assert answer.status_code in (403, 404)
    page = answer.content.decode()
    assert ("无权访问" in page or "页面不存在" in page) and "返回首页" in page


@override_settings(DEBUG=False)
def test_an_unexpected_error_answers_the_chinese_500_page(city, monkeypatch):
    from reports.dashboard import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "overview", broken)
    client = signed_in(city.users["city"])
    client.raise_request_exception = False
    answer = client.get("/", secure=True)
    assert answer.status_code == 500
    page = answer.content.decode()
    assert "出错了" in page and "boom" not in page and "Server Error" not in page
