"""The admin speaks Chinese; the OpenAPI schema and its UI are served without internet."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_admin_login_page_is_in_chinese(client):
    response = client.get("/admin/login/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "建筑工人实名制管理平台" in page
    assert "用户名" in page and "密码" in page
    assert "登录" in page


@pytest.mark.django_db
def test_english_is_the_accounts_choice_never_the_browsers(client, city):
    # An English browser still gets the Chinese login page: the language belongs to the account.
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "建筑工人实名制管理平台" in response.content.decode()
    operator = city.users["city"]
    operator.is_staff = True
    operator.language = "en"
    operator.save()
    client.force_login(operator)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Construction worker real-name platform" in response.content.decode()


@pytest.mark.django_db
def test_the_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "建筑工人实名制管理平台 API"


@pytest.mark.django_db
def test_the_swagger_ui_uses_bundled_assets(client):
    response = client.get("/api/docs/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page


@pytest.mark.django_db
def test_the_admin_pages_list_is_kept_per_account_and_follows_a_grant_and_the_language(client, city):
    """The admin index and every admin page's side menu list the pages the account may open, built once and
    kept: an operator's grant shows its page at once, and a switch to English names the apps in English."""
    from django.contrib.auth.models import Permission

    staff = city.users["haishu"]
    client.force_login(staff)
    index = client.get("/admin/").content.decode()
    assert "监管检查" in index and "/admin/inspections/policy/add/" not in index
    assert client.get("/admin/inspections/alert/").status_code == 200  # a page's side menu from the kept list
    staff.user_permissions.add(Permission.objects.get(codename="add_policy"))  # the operator grants it
    assert "/admin/inspections/policy/add/" in client.get("/admin/").content.decode()
    staff.language = "en"
    staff.save()
    english = client.get("/admin/").content.decode()
    assert "Inspections" in english and "监管检查" not in english
