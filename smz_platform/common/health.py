"""GET /healthz: is the platform able to serve? Used by the container health checks."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
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
    return JsonResponse(body, status=200 if body["database"] == "ok" else 503)
