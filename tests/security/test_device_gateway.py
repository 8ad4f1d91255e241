"""The device gateway against floods and replays (issue 14): unsigned traffic costs no body read and no
query, the per-device limit holds with Redis down, and a Redis restart does not reopen old nonces."""

from __future__ import annotations

import io
import time

import pytest
import redis
from django.core.handlers.wsgi import LimitedStream
from django.test import RequestFactory, override_settings

from attendance.api.device import heartbeat_endpoint
from devices import gateway
from devices.models import DeviceRateWindow

pytestmark = pytest.mark.django_db


class CountingInput(io.BytesIO):
    """A request body that remembers whether anybody read it."""

    touched = False

    def read(self, *args):
        self.touched = True
        return super().read(*args)

    def readline(self, *args):
        self.touched = True
        return super().readline(*args)


def raw_request(body: bytes, address: str, **headers):
    request = RequestFactory().post(
        "/api/device/v1/heartbeat", data=b"", content_type="application/json", REMOTE_ADDR=address, **headers
    )
    stream = CountingInput(body)
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(stream, len(body))  # what WSGIRequest reads the body from
    return request, stream


@override_settings(SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE=5)
def test_an_unsigned_flood_is_refused_without_reading_its_body_or_querying(gate, django_assert_num_queries):
    body = b'{"liveness_enabled": true, "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    for _ in range(5):
        request, stream = raw_request(body, "198.51.100.20")
        with django_assert_num_queries(0):
            answer = heartbeat_endpoint(request)
        assert answer.status_code == 401 and not stream.touched  # no signing headers: refused unread
    request, stream = raw_request(body, "198.51.100.20", HTTP_X_DEVICE_SN="HS-GATE-01")
    with django_assert_num_queries(0):
        answer = heartbeat_endpoint(request)
    assert answer.status_code == 429 and not stream.touched and answer["Retry-After"]
    # Another address is not held back by the flood.
    assert gate.heartbeat().status_code == 200


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", SMZ_DEVICE_REQUESTS_PER_MINUTE=3)
def test_the_per_device_limit_holds_with_redis_down(gate):
    gateway._redis()
    gateway._state.failed_at = time.time() - 1000  # Redis failed long ago: the PostgreSQL path applies
    statuses = [gate.heartbeat().status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert DeviceRateWindow.objects.get().count == 4


def test_a_request_seen_before_a_redis_restart_is_not_accepted_again(gate, settings):
    """A device's heartbeat is captured on the wire; Redis restarts (its nonces gone, never unreachable);
    the captured request is replayed within its 300 s window: refused (503, sign again), while the
    device's own next request, signed after the restart, goes through."""
    signed_at = int(time.time()) - 20
    first = gate.heartbeat(timestamp=signed_at, nonce="captured-nonce-0001")
    assert first.status_code == 200
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the restart: no persistence, every key gone
    replay = gate.heartbeat(timestamp=signed_at, nonce="captured-nonce-0001")
    assert replay.status_code == 503 and replay.json()["code"] == "unavailable"
    assert gate.heartbeat(nonce="after-restart-0001").status_code == 200
    # The epoch stays: the replay is refused on any later try too.
    assert gate.heartbeat(timestamp=signed_at, nonce="captured-nonce-0001").status_code == 503
