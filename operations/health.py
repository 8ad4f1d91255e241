"""GET /healthz: is the platform able to serve? Used by the container health checks."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError:
        return "unavailable"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, else 503.

    Redis is reported but does not fail the check: the platform keeps serving without it (device
    nonces fall back to PostgreSQL), and restarting the web container would not bring it back.
    """
    body = {"database": _database_status(), "redis": _redis_status()}
    if body["database"] == "ok":
        body.update(_ages())
    return JsonResponse(body, status=200 if body["database"] == "ok" else 503)


def _ages() -> dict:
    """How old the last complete nightly run and the last punch received are: the two facts an operator
    checks first when the figures look wrong (docs/operations.md). Reported, never failing the check:
    restarting the web would not bring a missed night back (the watchdog queues it again)."""
    from devices.models import Device
    from inspections.selectors.nights import nights_state
    from upward.selectors import upward_backlogs

    now = timezone.now()
    nights = nights_state()
    last = nights.last_complete
    punch = Device.objects.aggregate(at=Max("last_punch_at"))["at"]
    return {
        "nightly_run": {
            "yesterday": nights.yesterday.isoformat(),
            "yesterday_state": nights.yesterday_state,
            "last_complete_day": last.day.isoformat() if last else None,
            "last_complete_hours_ago": round((now - last.finished_at).total_seconds() / 3600, 1)
            if last and last.finished_at
            else None,
        },
        "last_punch_seconds_ago": int((now - punch).total_seconds()) if punch else None,
        # Upward data waiting longer than SMZ_UPWARD_BACKLOG_MINUTES: a receiver down or refusing (upward/).
        "upward": [
            {"receiver": b.receiver, "oldest_waiting_seconds": b.oldest_seconds, "late": b.late}
            for b in upward_backlogs()
        ],
    }
