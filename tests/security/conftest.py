"""The two-province world of the jurisdiction tests, built once per test module (issue 23)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from tests.conftest import build_city, register_gate
from tests.security import world as w

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def provinces(django_db_setup, django_db_blocker):
    """Zhejiang (Ningbo: Haishu and Jiangbei; Hangzhou: Xihu) and Jiangsu (Nanjing: Xuanwu), each with its
    projects, firms and accounts, and one record of every kind on Haishu's project. Built once for the
    module inside a transaction rolled back at its end; every test runs in a savepoint within it
    (pytest-django's `db`), so what one test writes is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
            city = build_city()
            gate = register_gate(city)
            w.two_provinces(city)
            built = w.build(city, gate.device)
        yield city, built
        transaction.set_rollback(True)
