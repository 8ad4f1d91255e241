"""The device API's front door: every device request is checked here before anything is stored.

Order of the checks (docs/device-api.md): body size, headers, device, timestamp window, signature, disabled,
nonce, rate. Each refusal is a DeviceRefusal with the contract's status and code.

Nonces are remembered for 10 minutes with Redis `SET NX EX`. When Redis cannot be reached they are
recorded in PostgreSQL instead (DeviceNonce, a unique index), and the device lookup always checks
that table too, so a nonce recorded there during an outage is refused after Redis comes back. A
nonce accepted through Redis just before it went down cannot be checked any more; its replay would
carry the same signed timestamp, at most 300 s after the nonce was seen, so while falling back the
gateway answers 503 (retry) to timestamps earlier than 300 s after this process saw Redis fail:
a replay is never accepted because Redis is down. (A Redis restart that loses its keys without ever
being unreachable is not detected; run Redis without eviction, as docker-compose.yml does.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from devices.choices import DeviceState
from devices.models import DeviceNonce
from devices.signing import NONCE_PATTERN, SIGNATURE_PATTERN, TIMESTAMP_PATTERN, signature_matches
from smz_platform.common import pii

logger = logging.getLogger("smz.devices")

MAX_BODY_BYTES = 10 * 1024 * 1024
TIMESTAMP_WINDOW_S = 300
NONCE_TTL_S = 600


@dataclass
class DeviceRefusal(Exception):
    status: int
    code: str
    message: str
    retry_after: int | None = None


@dataclass(frozen=True)
class DeviceIdentity:
    """What the intake needs of the signing device: read in one statement on the hot path."""

    pk: int
    serial: str
    project_id: int
    state: str
    secret_encrypted: str
    nonce_in_database: bool
    online: bool = False
    last_contact_at: object = None  # aware datetime or None
    last_punch_at: object = None


@dataclass(frozen=True)
class DeviceRequest:
    device: DeviceIdentity
    body: bytes
    received_at: object  # aware datetime


@lru_cache(maxsize=4096)
def _secret(token: str) -> bytes:
    """The decrypted signing secret, cached per encrypted token (a re-registration changes the token)."""
    return pii.decrypt(token).encode()


class _RedisState:
    """Per-process memory of when Redis was last seen failing (None while it answers)."""

    client: redis.Redis | None = None
    url: str | None = None
    failed_at: float | None = None


_state = _RedisState()


def _redis() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    if _state.client is None or _state.url != settings.REDIS_URL:
        _state.client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5, retry_on_timeout=False
        )
        _state.url = settings.REDIS_URL
        _state.failed_at = None
    return _state.client


def check_body_size(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise DeviceRefusal(413, "payload_too_large", "The body is over 10 MiB.")


def authenticate(request, body: bytes, *, find_device: Callable[[str, str], DeviceIdentity | None]) -> DeviceRequest:
    """The checks of the device API, in its order; `find_device(serial, nonce)` reads the signing device
    (the intake's storage does, on its fast path)."""
    serial = request.headers.get("X-Device-SN", "")
    timestamp = request.headers.get("X-Timestamp", "")
    nonce = request.headers.get("X-Nonce", "")
    signature = request.headers.get("X-Signature", "")
    if not (
        0 < len(serial) <= 64
        and TIMESTAMP_PATTERN.match(timestamp)
        and NONCE_PATTERN.match(nonce)
        and SIGNATURE_PATTERN.match(signature)
    ):
        raise DeviceRefusal(
            401,
            "missing_credentials",
            "X-Device-SN, X-Timestamp, X-Nonce and X-Signature must all be present and well formed.",
        )
    device = find_device(serial, nonce)
    if device is None:
        raise DeviceRefusal(401, "unknown_device", f"No device has serial number {serial}.")
    now = timezone.now()
    skew = int(timestamp) - now.timestamp()
    if abs(skew) > TIMESTAMP_WINDOW_S:
        raise DeviceRefusal(
            401, "stale_timestamp", f"The timestamp is {int(skew)} s from the server's clock (limit ±300 s)."
        )
    if not signature_matches(
        _secret(device.secret_encrypted), signature, request.method, request.path, timestamp, nonce, body
    ):
        raise DeviceRefusal(401, "bad_signature", "The signature does not verify.")
    if device.state != DeviceState.ACTIVE:
        raise DeviceRefusal(403, "device_disabled", "This device was retired or disabled by staff.")
    if device.nonce_in_database:
        raise DeviceRefusal(401, "replayed_nonce", "This nonce was used within the last 10 minutes.")
    _check_nonce_and_rate(device, nonce, int(timestamp))
    return DeviceRequest(device=device, body=body, received_at=now)


def _check_nonce_and_rate(device: DeviceIdentity, nonce: str, timestamp: int) -> None:
    limit = settings.SMZ_DEVICE_REQUESTS_PER_MINUTE
    window = int(time.time() // 60)
    client = _redis()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            pipe.set(f"smz:nonce:{device.pk}:{nonce}", 1, nx=True, ex=NONCE_TTL_S)
            pipe.incr(f"smz:rate:{device.pk}:{window}")
            pipe.expire(f"smz:rate:{device.pk}:{window}", 120)
            fresh, count, _ = pipe.execute()
        except redis.RedisError:
            logger.warning("Redis unreachable: device nonces fall back to PostgreSQL")
            if _state.failed_at is None:
                _state.failed_at = time.time()
        else:
            _state.failed_at = None
            if not fresh:
                raise DeviceRefusal(401, "replayed_nonce", "This nonce was used within the last 10 minutes.")
            if count > limit:
                retry = 60 - int(time.time()) % 60
                raise DeviceRefusal(429, "rate_limited", f"More than {limit} requests a minute.", retry_after=retry)
            return
        if timestamp <= _state.failed_at + TIMESTAMP_WINDOW_S:
            raise DeviceRefusal(
                503, "unavailable", "Nonces cannot be checked now; sign again and retry.", retry_after=30
            )
    _record_nonce_in_database(device, nonce)


def _record_nonce_in_database(device: DeviceIdentity, nonce: str) -> None:
    try:
        with transaction.atomic():
            DeviceNonce.objects.create(device_id=device.pk, nonce=nonce, seen_at=timezone.now())
    except IntegrityError as exc:
        raise DeviceRefusal(401, "replayed_nonce", "This nonce was used within the last 10 minutes.") from exc


def purge_nonces() -> int:
    """Forget database nonces older than the 10-minute window."""
    cutoff = timezone.now() - timezone.timedelta(seconds=NONCE_TTL_S)
    deleted, _ = DeviceNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
