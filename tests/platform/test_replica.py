"""Reads on a real streaming replica (scripts/replica.sh, started by make test): the dashboard, the
reports and the list APIs read from it, writes and the nightly run never do, a person who has just
written reads their own change from the primary, and a replica that does not answer is left alone."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from inspections.engine import rules_run
from inspections.models import Alert
from inspections.tasks import run_rules_nightly_task
from smz_platform.common import replica

# serialized_rollback: the policies and code tables that migrations wrote survive the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])


def _point_replica_at(port: int) -> None:
    """The test runner made the alias a mirror of the test database; point it at the standby that
    streams that database from the primary (the same name, on the replica's port)."""
    settings_dict = {**connections["default"].settings_dict, "HOST": "127.0.0.1", "PORT": str(port)}
    connections["replica"].close()
    connections["replica"].settings_dict = settings_dict
    replica.replica_health_forget()


@pytest.fixture
def real_replica(settings):
    settings.SMZ_REPLICA_READS = True
    port = int(settings.DATABASES["replica"]["PORT"] or 5433)
    _point_replica_at(port)
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0], f"127.0.0.1:{port} is not a standby: run scripts/replica.sh start (make test does)"
    yield connections["replica"]
    _point_replica_at(port)  # a test may have pointed it elsewhere; the test runner's teardown uses it


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 30 s")


def tables(queries) -> str:
    return " ".join(q["sql"] for q in queries)


def test_pages_reports_and_list_apis_read_from_the_replica(city, client, real_replica):
    rules_run(day=dt.date(2026, 11, 24))  # R01 alerts: both projects have no device
    client.force_login(city.users["city"])
    caught_up()
    for path in ("/api/v1/projects/", "/api/v1/alerts/", "/", "/alerts/"):
        with (
            CaptureQueriesContext(real_replica) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get(path)
        assert response.status_code == 200, path
        assert response["X-SMZ-Read"] == "replica"
        assert on_replica.captured_queries, path
        assert "projects_project" in tables(on_replica.captured_queries) or "inspections_alert" in tables(
            on_replica.captured_queries
        )
        # The account and its session are always the primary's.
        assert "projects_project" not in tables(on_primary.captured_queries), path
        assert "django_session" not in tables(on_replica.captured_queries)
        assert '"projects_user"' not in tables(on_replica.captured_queries)
    listed = client.get("/api/v1/projects/").json()
    assert sorted(p["permit_no"] for p in listed["results"]) == sorted(
        [city.project.permit_no, city.other_project.permit_no]
    )


def test_a_write_never_touches_the_replica_and_its_author_reads_it_back_from_the_primary(city, client, real_replica):
    rules_run(day=dt.date(2026, 11, 24))
    alert = Alert.objects.get(rule="R01", project=city.project)
    client.force_login(city.users["haishu"])
    caught_up()
    with CaptureQueriesContext(real_replica) as on_replica:
        response = client.post(
            f"/api/v1/alerts/{alert.pk}/dismiss/", {"reason": "设备已安装，待对接"}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    assert on_replica.captured_queries == []
    assert response.cookies[replica.PIN_COOKIE]["max-age"] == 10
    # Sent back to the list at once: the author's reads are the primary's, their dismissal is there.
    with CaptureQueriesContext(real_replica) as on_replica:
        listed = client.get(f"/api/v1/alerts/{alert.pk}/")
    assert listed["X-SMZ-Read"] == "primary" and on_replica.captured_queries == []
    assert listed.json()["state"] == "dismissed"
    # Once the pin has gone, reads are the replica's again, and it has the dismissal too.
    client.cookies.pop(replica.PIN_COOKIE)
    caught_up()
    again = client.get(f"/api/v1/alerts/{alert.pk}/")
    assert again["X-SMZ-Read"] == "replica" and again.json()["state"] == "dismissed"


def test_the_nightly_run_and_tasks_never_read_the_replica_even_when_started_from_a_page(city, real_replica):
    with replica.replica_reads(), CaptureQueriesContext(real_replica) as on_replica:
        run_rules_nightly_task.delay("2026-11-24")
    assert on_replica.captured_queries == []
    assert Alert.objects.filter(rule="R01").count() == 2


def test_the_device_api_and_the_admin_read_the_primary(city, client, real_replica):
    client.force_login(city.users["city"])
    with CaptureQueriesContext(real_replica) as on_replica:
        assert client.get("/admin/projects/project/").status_code == 200
        assert client.get("/healthz").status_code in (200, 503)
    assert on_replica.captured_queries == []


def test_a_replica_that_does_not_answer_is_left_alone(city, client, real_replica):
    client.force_login(city.users["city"])
    _point_replica_at(5499)  # nothing listens there
    response = client.get("/api/v1/projects/")
    assert response.status_code == 200 and response["X-SMZ-Read"] == "primary"
    assert len(response.json()["results"]) == 2


def test_the_lag_the_router_reads_is_the_real_replicas(city, settings, real_replica):
    caught_up()
    # The suite's other lanes write to the same cluster meanwhile (the CI of 2026-12-07 read 0.22 s here once): the
    # lag is a fraction of a second while the replica replays what it has received, and 0 each moment it has it all.
    deadline = time.monotonic() + 30
    while (lag := replica.replica_lag_seconds()) != 0 and time.monotonic() < deadline:
        assert lag is not None and 0 < lag < settings.SMZ_REPLICA_MAX_LAG_SECONDS, lag
        time.sleep(0.01)
    assert lag == 0
    assert replica.replica_usable()
    # The primary itself is no standby: the lag it would give is None, and it is not a replica to use.
    primary = settings.SMZ_DATABASE_DIRECT.get("PORT") or settings.DATABASES["default"]["PORT"] or 5432
    _point_replica_at(int(primary))
    replica.replica_health_forget()
    assert replica.replica_lag_seconds() is None
    assert not replica.replica_usable()
