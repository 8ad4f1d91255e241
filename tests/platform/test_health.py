"""GET /healthz reports the database and Redis, and is 503 when the database cannot be reached."""

from __future__ import annotations

import json

import pytest

from tests.platform.helpers import SECRETS, run_python


@pytest.mark.django_db
def test_it_is_ok_with_the_database_and_redis_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_it_says_redis_is_not_configured_without_redis_url(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.json() == {"database": "ok", "redis": "not configured"}


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
