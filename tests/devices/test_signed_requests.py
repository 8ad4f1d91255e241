"""The device API's refusals (docs/device-api.md): every code, its status, and nothing stored."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import override_settings

from attendance.models import Punch
from devices.models import Device, DeviceNonce
from devices.signing import sign

pytestmark = pytest.mark.django_db

NOW = 1_795_000_000  # 2026-11-18T11:06:40Z


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def code(response):
    return response.status_code, response.json()["code"]


def test_a_signed_heartbeat_is_answered_with_the_server_time(gate, frozen):
    response = gate.heartbeat()
    assert response.status_code == 200
    assert response.json() == {"server_time": "2026-11-18T11:06:40Z"}


@pytest.mark.parametrize("missing", ["X-Device-SN", "X-Timestamp", "X-Nonce", "X-Signature"])
def test_a_missing_header_is_missing_credentials(gate, missing):
    response = gate.heartbeat(headers={missing: ""})
    assert code(response) == (401, "missing_credentials")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Nonce": "short"},
        {"X-Nonce": "has spaces in it !!"},
        {"X-Nonce": "x" * 65},
        {"X-Timestamp": "soon"},
        {"X-Signature": "ABCDEF"},
        {"X-Signature": "G" * 64},
    ],
)
def test_a_malformed_header_is_missing_credentials(gate, headers):
    assert code(gate.heartbeat(headers=headers)) == (401, "missing_credentials")


def test_an_unknown_serial_is_unknown_device(gate):
    assert code(gate.heartbeat(serial="NO-SUCH-DEVICE")) == (401, "unknown_device")


@pytest.mark.parametrize(("offset", "expected"), [(300, 200), (-300, 200), (301, 401), (-301, 401)])
def test_the_timestamp_window_is_300_seconds_either_way(gate, frozen, offset, expected):
    response = gate.heartbeat(timestamp=NOW + offset)
    assert response.status_code == expected
    if expected == 401:
        assert response.json()["code"] == "stale_timestamp"
        assert response.json()["server_time"] == NOW  # for the device to set its clock by


def test_a_wrong_signature_is_bad_signature(gate):
    forged = sign(b"not-the-secret", "POST", "/api/device/v1/heartbeat", str(int(time.time())), "n" * 16, b"{}")
    assert code(gate.heartbeat(signature=forged)) == (401, "bad_signature")


def test_a_body_changed_after_signing_is_bad_signature(gate):
    body = b'{"liveness_enabled": true}'
    ts, nonce = str(int(time.time())), "nonce-for-tamper-test"
    signature = sign(gate.secret.encode(), "POST", "/api/device/v1/heartbeat", ts, nonce, body)
    response = gate.post(
        "/api/device/v1/heartbeat", b'{"liveness_enabled": false}', timestamp=int(ts), nonce=nonce, signature=signature
    )
    assert code(response) == (401, "bad_signature")


def test_a_signature_for_another_path_is_bad_signature(gate):
    body = b'{"liveness_enabled": true}'
    ts, nonce = str(int(time.time())), "nonce-for-path-test1"
    signature = sign(gate.secret.encode(), "POST", "/api/device/v1/punches", ts, nonce, body)
    assert code(gate.post("/api/device/v1/heartbeat", body, timestamp=int(ts), nonce=nonce, signature=signature)) == (
        401,
        "bad_signature",
    )


def test_a_reused_nonce_is_replayed_nonce(gate):
    assert gate.heartbeat(nonce="the-same-nonce-0001").status_code == 200
    assert code(gate.heartbeat(nonce="the-same-nonce-0001")) == (401, "replayed_nonce")


def test_a_replayed_batch_stores_nothing_new(gate):
    punch = {
        "record_id": "R-1",
        "id_number": "11010519491231002X",
        "punched_at": "2026-11-18T08:00:00+08:00",
        "direction": "in",
        "method": "face",
    }
    ts = int(time.time())
    assert gate.punches([punch], timestamp=ts, nonce="replay-nonce-00001").status_code == 200
    assert code(gate.punches([punch], timestamp=ts, nonce="replay-nonce-00001")) == (401, "replayed_nonce")
    assert Punch.objects.count() == 1


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_with_redis_unreachable_nonces_fall_back_to_postgresql_and_a_replay_is_refused(gate):
    # A timestamp well after the moment this process saw Redis fail: the PostgreSQL path applies.
    from devices import gateway

    gateway._redis()  # bind the client to the unreachable URL, then say it failed long ago
    gateway._state.failed_at = time.time() - 1000
    assert gate.heartbeat(nonce="fallback-nonce-0001").status_code == 200
    assert DeviceNonce.objects.filter(nonce="fallback-nonce-0001").exists()
    assert code(gate.heartbeat(nonce="fallback-nonce-0001")) == (401, "replayed_nonce")


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_right_after_redis_fails_requests_signed_before_it_cannot_be_checked_and_are_503(gate):
    from devices import gateway

    gateway._state.failed_at = None
    response = gate.heartbeat(nonce="maybe-replayed-0001")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"
    assert response["Retry-After"]
    assert Device.objects.get(serial=gate.serial).last_heartbeat_at is None


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_after_a_redis_failure_only_requests_a_replay_could_carry_are_refused_then_intake_goes_on(gate):
    # A device whose clock runs 120 s ahead: a request it had sent through Redis just before the
    # failure carries a timestamp up to 120 s after it. Those are refused (503, sign again); a request
    # signed later than that (plus the margin) goes on through PostgreSQL.
    from devices import gateway

    gateway._redis()
    Device.objects.filter(serial=gate.serial).update(clock_skew_s=120)  # known from its last contact
    assert gate.heartbeat(timestamp=int(time.time()) + 120).status_code == 503  # Redis fails here
    failed_at = gateway._state.failed_at
    within = int(failed_at) + 120 + gateway.FAILOVER_MARGIN_S - 5
    later = int(failed_at) + 120 + gateway.FAILOVER_MARGIN_S + 5
    with time_machine.travel(later - 120, tick=False):
        assert code(gate.heartbeat(timestamp=within, nonce="could-be-a-replay-01")) == (503, "unavailable")
        assert gate.heartbeat(timestamp=later, nonce="signed-after-it-0001").status_code == 200
    assert DeviceNonce.objects.filter(nonce="signed-after-it-0001").exists()
    assert not DeviceNonce.objects.filter(nonce="could-be-a-replay-01").exists()


def test_each_contact_records_the_device_clock_error(gate, frozen):
    assert gate.heartbeat(timestamp=NOW - 42).status_code == 200
    assert Device.objects.get(serial=gate.serial).clock_skew_s == -42


def test_a_nonce_recorded_during_an_outage_is_refused_once_redis_is_back(gate):
    device = Device.objects.get(serial=gate.serial)
    DeviceNonce.objects.create(device=device, nonce="outage-nonce-00001", seen_at="2026-11-18T09:45:00Z")
    assert code(gate.heartbeat(nonce="outage-nonce-00001")) == (401, "replayed_nonce")


def test_a_disabled_device_is_refused(gate):
    Device.objects.filter(serial=gate.serial).update(state="disabled")
    assert code(gate.heartbeat()) == (403, "device_disabled")


def test_a_retired_device_is_refused(gate):
    Device.objects.filter(serial=gate.serial).update(state="retired")
    assert code(gate.heartbeat()) == (403, "device_disabled")


def test_a_body_over_10_mib_is_refused_before_reading(gate):
    body = b'{"punches": [' + b" " * (10 * 1024 * 1024) + b"]}"
    response = gate.post("/api/device/v1/punches", body)
    assert code(response) == (413, "payload_too_large")


@override_settings(SMZ_DEVICE_REQUESTS_PER_MINUTE=3)
def test_a_device_sending_too_fast_is_rate_limited_with_retry_after(gate):
    statuses = [gate.heartbeat().status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = gate.heartbeat()
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"liveness_enabled": "yes"}',
        b"{}",
        b"[]",
        '{"firmware": "\xff"}'.encode("latin-1"),
        b'{"liveness_enabled": true, "firmware": 7}',
        b'{"liveness_enabled": true, "reported_at": "noon"}',
    ],
)
def test_a_malformed_heartbeat_is_400(gate, body):
    response = gate.post("/api/device/v1/heartbeat", body)
    assert code(response) == (400, "invalid_heartbeat")
