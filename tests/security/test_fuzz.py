"""The API fuzzed from its own OpenAPI schema (issue 14): schemathesis generates requests for every
operation — well-formed and malformed bodies, odd parameters — sent as Haishu's district staff
through the whole Django stack; no answer may be a server error. The number of examples per
operation is bounded (SMZ_FUZZ_EXAMPLES, default 6) so that `make test` stays quick."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
import time_machine
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from projects.services.accounts import token_issue
from tests.conftest import build_city, module_world, register_gate
from tests.security import world as w

SH = dt.timezone(dt.timedelta(hours=8))
EXAMPLES = int(os.environ.get("SMZ_FUZZ_EXAMPLES", "6"))

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def one_connection():
    """As Django's test client does: the WSGI app must not close the test's database connection (it
    holds the test's transaction) at the end of each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The world of the jurisdiction tests, built once for the module (tests.conftest.module_world): each of the
    91 operations' cases runs in a savepoint within it (it was built again for every one, most of their time)."""
    with module_world(django_db_blocker):
        with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
            city = build_city()
            w.build(city, register_gate(city).device)
        yield token_issue(user=city.users["haishu"])


@pytest.fixture
def district_token(fuzz_world, db):
    return fuzz_world


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_no_request_makes_a_server_error(case, district_token):
    case.call_and_validate(headers={"Authorization": f"Token {district_token}"}, checks=[not_a_server_error])
