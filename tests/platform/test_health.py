"""GET /healthz reports the database and Redis, and is 503 when the database cannot be reached."""

from __future__ import annotations

import json

import pytest

from tests.platform.helpers import SECRETS, run_python


@pytest.mark.django_db
def test_it_is_ok_with_the_database_and_redis_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["database"], body["redis"]) == ("ok", "ok")
    # Nothing ran yet: no night, no punch, said as such.
    assert body["nightly_run"]["yesterday_state"] == "missing" and body["nightly_run"]["last_complete_day"] is None
    assert body["last_punch_seconds_ago"] is None


@pytest.mark.django_db
def test_it_says_how_old_the_last_night_and_the_last_punch_are(client, city, gate):
    import datetime as dt

    import time_machine

    from inspections.engine import rules_run
    from tests.factories import engage, id_number, person

    sh = dt.timezone(dt.timedelta(hours=8))
    number = id_number("330203", "19900101", 11)
    engage(city.project, city.contractor, person(number, "张三"))
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 40, tzinfo=sh), tick=False):
        rules_run(day=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 25, 8, 0, tzinfo=sh), tick=False):
        punch = {
            "record_id": "H-1",
            "id_number": number,
            "punched_at": "2026-11-25T08:00:00+08:00",
            "direction": "in",
            "method": "face",
            "liveness": True,
            "match_score": 0.9,
        }
        assert gate.punches([punch]).status_code == 200
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 40, tzinfo=sh), tick=False):
        body = client.get("/healthz").json()
    assert body["nightly_run"] == {
        "yesterday": "2026-11-24",
        "yesterday_state": "complete",
        "last_complete_day": "2026-11-24",
        "last_complete_hours_ago": 8.0,
    }
    assert body["last_punch_seconds_ago"] == 100 * 60


@pytest.mark.django_db
def test_it_says_redis_is_not_configured_without_redis_url(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.json()["redis"] == "not configured"


@pytest.mark.django_db
def test_it_reports_an_unreachable_redis_without_failing(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["redis"] == "unavailable"


def test_it_is_503_when_the_database_is_unreachable():
    # A fresh process whose DATABASE_URL points at a port where no PostgreSQL listens.
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    result = run_python(
        code, DATABASE_URL="postgres://postgres@127.0.0.1:1/smz", DJANGO_ALLOWED_HOSTS="testserver", **SECRETS
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503"
    assert json.loads(body) == {"database": "unavailable", "redis": "not configured"}
