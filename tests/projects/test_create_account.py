"""manage.py create_account (docs/operations.md)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from knox.models import AuthToken

from projects.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Ningbo-Regulator-2026!"


@pytest.fixture(autouse=True)
def password(monkeypatch):
    monkeypatch.setenv("SMZ_ACCOUNT_PASSWORD", PASSWORD)


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_it_creates_district_staff_and_prints_the_token_last(city, api_client):
    output = run("--username", "zhang.haishu", "--role", "district", "--district", "330203", "--token")
    user = User.objects.get(username="zhang.haishu")
    assert (user.role, user.district.code) == ("district", "330203")
    assert user.check_password(PASSWORD)
    token = output.strip().splitlines()[-1]
    # Only the token's digest is stored: the printed token is the one time it is seen.
    stored = AuthToken.objects.get(user=user)
    assert token not in (stored.digest, stored.token_key) and stored.expiry is not None
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["district"] == "330203"


def test_it_creates_an_enterprise_user_without_a_token(city):
    output = run("--username", "li.contractor", "--role", "enterprise", "--enterprise", city.contractor.uscc)
    assert User.objects.get(username="li.contractor").enterprise == city.contractor
    assert not AuthToken.objects.filter(user__username="li.contractor").exists()
    assert "li.contractor" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "district"], "district"),
        (["--role", "district", "--district", "339999"], "339999"),
        (["--role", "district", "--district", "330200"], "district"),
        (["--role", "enterprise"], "enterprise"),
        (["--role", "vendor", "--enterprise", "CONTRACTOR"], "enterprise"),
        (["--role", "city", "--enterprise", "CONTRACTOR"], "enterprise"),
        (["--role", "enterprise", "--enterprise", "91330200MA0000000X"], "91330200MA0000000X"),
    ],
)
def test_it_refuses_a_role_without_the_right_jurisdiction(city, args, message):
    args = [city.contractor.uscc if a == "CONTRACTOR" else a for a in args]
    with pytest.raises(CommandError) as error:
        run("--username", "someone", *args)
    assert message in str(error.value)
    assert not User.objects.filter(username="someone").exists()


def test_it_refuses_a_taken_username(city):
    with pytest.raises(CommandError, match="city"):
        run("--username", "city", "--role", "city")


def test_it_refuses_a_weak_password(city, monkeypatch):
    monkeypatch.setenv("SMZ_ACCOUNT_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        run("--username", "weak", "--role", "city")
    assert not User.objects.filter(username="weak").exists()


def test_without_a_password_and_no_terminal_it_says_how_to_give_one(city, monkeypatch):
    monkeypatch.delenv("SMZ_ACCOUNT_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="SMZ_ACCOUNT_PASSWORD"):
        run("--username", "nopw", "--role", "city")


def test_an_unknown_role_is_refused_by_the_parser(city):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--username", "x", "--role", "mayor")


def test_a_province_account_names_its_province_and_a_city_account_its_city(city):
    from tests.factories import province_of

    province_of(city)
    assert "省级监管人员" in run("--username", "zj.admin", "--role", "province", "--region", "330000")
    assert User.objects.get(username="zj.admin").region.code == "330000"
    for args, message in [
        (["--role", "province", "--region", "999999"], "--region: no region with code 999999"),
        (["--role", "province", "--region", "330200"], "region: 省级监管账号须指定所属省"),
        (["--role", "province"], "region: 省级监管账号须指定所属省"),
        (["--role", "city"], "region: 平台已接入全省：请指定市级监管账号所属的市"),  # which city?
        (["--role", "city", "--region", "330203"], "region: 市级监管账号的所属地区须为市"),
        (["--role", "district", "--district", "330203", "--region", "330200"], "region: 只有省级和市级"),
    ]:
        with pytest.raises(CommandError, match=message):
            run("--username", "x.refused", *args)
    assert not User.objects.filter(username="x.refused").exists()
