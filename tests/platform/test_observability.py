"""What an operator reads when something goes wrong: a request id on every answer and log line, JSON
logs, and /metrics with the platform's own figures (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
import time_machine

from smz_platform.common.requestid import RequestIdFilter
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


def test_every_answer_carries_a_request_id_and_a_plausible_one_is_kept(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-abc-12345")["X-Request-ID"] == "proxy-abc-12345"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_a_log_line_is_one_json_object_with_the_request_id(settings):
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(**{k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"})
    record = logging.LogRecord("smz.rules", logging.WARNING, __file__, 1, "run for %s skipped", ("2026-11-24",), None)
    RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert (line["level"], line["logger"], line["message"], line["request_id"]) == (
        "WARNING",
        "smz.rules",
        "run for 2026-11-24 skipped",
        "-",
    )


def test_metrics_count_the_intake_and_say_how_old_the_night_is(client, city, gate, settings):
    from inspections.engine import rules_run

    number = id_number("330203", "19900101", 11)
    engage(city.project, city.contractor, person(number, "张三"))
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 40, tzinfo=SH), tick=False):
        rules_run(day=dt.date(2026, 11, 24))
    before = _value(client.get("/metrics", REMOTE_ADDR="127.0.0.1"), 'smz_intake_records_total{outcome="accepted"}')
    with time_machine.travel(dt.datetime(2026, 11, 25, 8, 0, tzinfo=SH), tick=False):
        punch = {
            "record_id": "M-1",
            "id_number": number,
            "punched_at": "2026-11-25T08:00:00+08:00",
            "direction": "in",
            "method": "face",
            "liveness": True,
            "match_score": 0.9,
        }
        gate.punches([punch])
        gate.punches([punch])  # a retry: a duplicate
        page = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert page.status_code == 200
    assert _value(page, 'smz_intake_records_total{outcome="accepted"}') == before + 1
    assert _value(page, 'smz_intake_records_total{outcome="duplicate"}') >= 1
    assert _value(page, "smz_nightly_run_yesterday_complete") == 1
    assert (
        _value(page, "smz_last_punch_received_timestamp_seconds") == dt.datetime(2026, 11, 25, 8, tzinfo=SH).timestamp()
    )
    assert "django_http_requests_latency_including_middlewares_seconds_bucket" in page.content.decode()
    # Not for anyone outside: another address needs the token.
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.SMZ_METRICS_TOKEN = "scrape-secret"
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200
    )


def _value(response, name: str) -> float:
    for line in response.content.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


@pytest.mark.django_db
def test_healthz_and_metrics_name_the_same_last_night_when_an_old_day_is_run_again(client, city):
    """A re-run of last month's day (a policy correction) finishes after last night: it is not the last
    complete night for either the health check or the metrics (inspections.selectors.nights)."""
    from inspections.engine import rules_run

    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 40, tzinfo=SH), tick=False):
        rules_run(day=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SH), tick=False):
        rules_run(day=dt.date(2026, 10, 31))
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 40, tzinfo=SH), tick=False):
        health = client.get("/healthz").json()["nightly_run"]
        page = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert health["last_complete_day"] == "2026-11-24" and health["last_complete_hours_ago"] == 8.0
    finished = _value(page, "smz_nightly_run_last_complete_timestamp_seconds")
    assert finished == dt.datetime(2026, 11, 25, 1, 40, tzinfo=SH).timestamp()


def test_a_refusal_is_logged_as_one_line_and_a_failure_with_its_traceback(city, caplog, settings):
    """An account probing ids is logged a line a probe (status, path, request id), not a traceback; a 500 keeps
    the traceback an operator needs."""
    from django.test import Client

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    contractor = Client(raise_request_exception=False)
    contractor.force_login(city.users["contractor"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert contractor.get("/alerts/", secure=True).status_code == 403
        assert contractor.get(f"/projects/{city.other_project.permit_no}/", secure=True).status_code == 404
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert [r.status_code for r in refusals] == [403, 404]
    assert all(r.exc_info is None and "Traceback" not in caplog.text for r in refusals)
    assert "Forbidden (Permission denied): /alerts/" in caplog.text
    caplog.clear()
    from django.db import connection

    def failing(execute, sql, params, many, context):
        raise RuntimeError("the database went away")

    with caplog.at_level(logging.ERROR, logger="django.request"), connection.execute_wrapper(failing):
        assert contractor.get("/projects/", secure=True).status_code == 500
    (failure,) = [r for r in caplog.records if r.name == "django.request"]
    assert failure.status_code == 500 and failure.exc_info is not None
