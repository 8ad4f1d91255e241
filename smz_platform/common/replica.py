"""Reads on a PostgreSQL streaming replica (DATABASE_REPLICA_URL; docs/operations.md "Scaled out").

Only what people browse reads from the replica: GET and HEAD requests for the dashboard's pages, the
reports' downloads and the integration API (ReplicaReadsMiddleware marks the request; the router then
sends its reads to the "replica" alias). Everything else reads and writes the primary: every write,
every request that may write (POST and the others), the device API, the admin, the nightly run and
every Celery task, and, whatever the request, accounts, sessions, tokens and lockouts (a login must be
seen at once).

What a reader sees: the database as the replica has replayed it, normally well under a second behind.
A person who has just changed something reads from the primary for SMZ_REPLICA_PIN_SECONDS afterwards
(a cookie), so the page they are sent back to shows their own change. A replica further behind than
SMZ_REPLICA_MAX_LAG_SECONDS, or not answering, is left alone (reads go to the primary) until it has
caught up; the check is made at most every few seconds per process.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger("smz.replica")

REPLICA = "replica"
PIN_COOKIE = "smz_primary"
# Never from the replica: a login, a lockout or a revoked token must hold at once.
PRIMARY_ONLY = {"sessions", "auth", "knox", "axes", "contenttypes", "admin"}
# Requests that never read from the replica, whatever their method.
EXCLUDED_PATHS = ("/admin/", "/api/device/", "/healthz", "/metrics", "/api-auth/", "/login", "/logout")
HEALTH_EVERY_SECONDS = 5

_reading: ContextVar[bool] = ContextVar("smz_replica_reads", default=False)
_health = {"checked": 0.0, "usable": False, "lag": None}


def configured() -> bool:
    return REPLICA in connections.settings and settings.SMZ_REPLICA_READS


@contextmanager
def replica_reads():
    """Reads inside go to the replica (when one is configured and usable)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def primary_reads_begin():
    return _reading.set(False)


def primary_reads_end(token) -> None:
    _reading.reset(token)


def replica_lag_seconds() -> float | None:
    """How far the replica is behind: 0 when it has replayed everything it received, else the age of
    the last transaction it replayed; None if it does not answer or is not a standby."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            standby, lag = cursor.fetchone()
    except DatabaseError:
        logger.warning("the replica does not answer: reads go to the primary")
        connections[REPLICA].close()
        return None
    return float(lag or 0) if standby else None


def replica_usable() -> bool:
    now = time.monotonic()
    if now - _health["checked"] >= HEALTH_EVERY_SECONDS:
        lag = replica_lag_seconds()
        _health.update(checked=now, lag=lag, usable=lag is not None and lag <= settings.SMZ_REPLICA_MAX_LAG_SECONDS)
    return _health["usable"]


def replica_health_forget() -> None:
    _health.update(checked=0.0, usable=False, lag=None)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _reading.get()
            and model._meta.app_label not in PRIMARY_ONLY
            and model._meta.label != settings.AUTH_USER_MODEL
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks the requests whose reads may go to the replica, and pins a person who has just written to
    the primary for a few seconds (the pin cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            if response.status_code < 400:
                pin = settings.SMZ_REPLICA_PIN_SECONDS
                response.set_cookie(
                    PIN_COOKIE, "1", max_age=pin, httponly=True, samesite="Lax", secure=request.is_secure()
                )
            return response
        if request.path.startswith(EXCLUDED_PATHS) or PIN_COOKIE in request.COOKIES or not replica_usable():
            response = self.get_response(request)
            response["X-SMZ-Read"] = "primary"
            return response
        with replica_reads():
            response = self.get_response(request)
        response["X-SMZ-Read"] = "replica"
        return response
