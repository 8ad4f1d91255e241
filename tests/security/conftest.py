"""The two-province world of the jurisdiction tests, built once per test module (issue 23)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from projects.services.accounts import token_issue
from tests.conftest import build_city, module_world, register_gate
from tests.security import world as w

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def provinces(django_db_setup, django_db_blocker):
    """Zhejiang (Ningbo: Haishu and Jiangbei; Hangzhou: Xihu) and Jiangsu (Nanjing: Xuanwu), each with its
    projects, firms and accounts, and one record of every kind on Haishu's project. Built once for the
    module (tests.conftest.module_world)."""
    with module_world(django_db_blocker):
        with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
            city = build_city()
            gate = register_gate(city)
            w.two_provinces(city)
            built = w.build(city, gate.device)
        yield city, built


class SignedIn:
    """Each account's session key and API token, made once for the module inside its transaction (a
    login costs a test a dozen writes per role). A test's new clients carry them; a test that ends a
    session or a token ends it in its own savepoint only."""

    def __init__(self, users) -> None:
        self.made = {}
        for role, user in users.items():
            pages = Client()
            pages.force_login(user)
            self.made[role] = (pages.cookies[settings.SESSION_COOKIE_NAME].value, token_issue(user=user))

    def clients(self, roles) -> dict[str, tuple[APIClient, Client]]:
        """New API and page clients for each role ("anonymous": signed in to neither)."""
        clients = {}
        for role in roles:
            api, pages = APIClient(), Client()
            if role != "anonymous":
                session, token = self.made[role]
                api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
                pages.cookies[settings.SESSION_COOKIE_NAME] = session
            clients[role] = (api, pages)
        return clients

    def page(self, role: str) -> Client:
        return self.clients([role])[role][1]


@pytest.fixture(scope="module")
def signed_in(provinces, django_db_blocker) -> SignedIn:
    """The module's accounts signed in, at the real time: a session's expiry must lie ahead of the tests
    that run today, and of those that travel back to 25 November."""
    with django_db_blocker.unblock():
        return SignedIn(provinces[0].users)
