"""The device API's front door: every device request is checked here before anything is stored.

Order of the checks (docs/device-api.md): the source's rate and the body size (before any byte of the
body is read or any query made), headers, device, timestamp window, signature, disabled, nonce, the
device's rate. Each refusal is a DeviceRefusal with the contract's status and code.

- **Per source**: each process counts requests per client address and minute in memory
  (SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE): unsigned floods are refused without reading their body or
  touching the database, and it holds with Redis down. The limit is per process (a gunicorn worker).
- **Nonces** are remembered for 10 minutes with Redis `SET NX EX`. When Redis cannot be reached they
  are recorded in PostgreSQL instead (DeviceNonce, a unique index), and the device lookup always checks
  that table too, so a nonce recorded there during an outage is refused after Redis comes back. A
  nonce accepted through Redis just before it went down cannot be checked any more; its replay carries
  the same signed timestamp, no later than the failure plus the device's clock error (kept from its
  last contact, `Device.clock_skew_s`), so while falling back the gateway answers 503 (sign again) to
  timestamps up to that plus FAILOVER_MARGIN_S after this process saw Redis fail, and takes later ones
  through PostgreSQL: intake goes on within seconds.
- **A Redis restart** loses the nonces without Redis ever being unreachable. Redis keeps an epoch key
  (`smz:nonce-epoch`, the time it was first asked after starting empty): a request signed at or before
  the epoch may carry a nonce seen before the restart, so it is answered 503 (sign again and retry).
  A replay is never accepted because Redis restarted or is down.
- **Per device**: SMZ_DEVICE_REQUESTS_PER_MINUTE in Redis, or in PostgreSQL (DeviceRateWindow) while
  Redis cannot be reached.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from devices.choices import DeviceState
from devices.models import DeviceNonce, DeviceRateWindow, VendorPlatform, VendorPlatformNonce
from devices.signing import NONCE_PATTERN, SIGNATURE_PATTERN, TIMESTAMP_PATTERN, signature_matches
from smz_platform.common import pii
from smz_platform.common.clientip import client_ip

logger = logging.getLogger("smz.devices")

MAX_BODY_BYTES = 10 * 1024 * 1024
TIMESTAMP_WINDOW_S = 300
NONCE_TTL_S = 600
# After Redis fails, requests signed up to this long (plus the device's known clock error) after the
# failure are refused with 503: one of them could be a replay of a nonce only Redis had seen.
FAILOVER_MARGIN_S = 10


@dataclass
class DeviceRefusal(Exception):
    status: int
    code: str
    message: str
    retry_after: int | None = None
    extra: dict | None = None  # more fields of the answer (stale_timestamp: the server's time, to resync)


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
    last_contact_at: dt.datetime | None = None  # aware
    last_punch_at: dt.datetime | None = None
    clock_skew: int = 0  # seconds, at the last contact


@dataclass(frozen=True)
class DeviceRequest:
    device: DeviceIdentity
    body: bytes
    received_at: object  # aware datetime
    clock_skew: int = 0  # this request's timestamp minus the server's time


@lru_cache(maxsize=4096)
def _secret(token: str) -> bytes:
    """The decrypted signing secret, cached per encrypted token (a re-registration changes the token)."""
    return pii.secret_decrypt(token).encode()


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


class _SourceCounts:
    """Requests per client address in the current minute, in this process (bounded: a flood of
    addresses empties it rather than growing it)."""

    window: int = -1
    counts: dict[str, int] = {}


_sources = _SourceCounts()
MAX_SOURCES = 100_000


def check_source(request) -> None:
    """The cheap first check: no body read, no query, no network."""
    limit = settings.SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE
    window = int(time.time() // 60)
    if window != _sources.window or len(_sources.counts) > MAX_SOURCES:
        _sources.window, _sources.counts = window, {}
    source = client_ip(request) or "?"
    count = _sources.counts.get(source, 0) + 1
    _sources.counts[source] = count
    if count > limit:
        raise DeviceRefusal(
            429,
            "rate_limited",
            f"More than {limit} requests a minute from this address.",
            retry_after=60 - int(time.time()) % 60,
        )


def check_headers(request, identity: str = "X-Device-SN") -> tuple[str, str, str, str]:
    """The four signing headers, present and well formed (before the body is read); `identity` names the signer's
    header (a device's serial, or a vendor platform's key)."""
    who = request.headers.get(identity, "")
    timestamp = request.headers.get("X-Timestamp", "")
    nonce = request.headers.get("X-Nonce", "")
    signature = request.headers.get("X-Signature", "")
    if not (
        0 < len(who) <= 64
        and TIMESTAMP_PATTERN.match(timestamp)
        and NONCE_PATTERN.match(nonce)
        and SIGNATURE_PATTERN.match(signature)
    ):
        raise DeviceRefusal(
            401,
            "missing_credentials",
            f"{identity}, X-Timestamp, X-Nonce and X-Signature must all be present and well formed.",
        )
    return who, timestamp, nonce, signature


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
    serial, timestamp, nonce, signature = check_headers(request)
    device = find_device(serial, nonce)
    if device is None:
        raise DeviceRefusal(401, "unknown_device", f"No device has serial number {serial}.")
    now = timezone.now()
    skew = int(timestamp) - now.timestamp()
    if abs(skew) > TIMESTAMP_WINDOW_S:
        raise DeviceRefusal(
            401,
            "stale_timestamp",
            f"The timestamp is {int(skew)} s from the server's clock (limit ±300 s).",
            extra={"server_time": int(now.timestamp())},
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
    return DeviceRequest(device=device, body=body, received_at=now, clock_skew=int(skew))


@dataclass(frozen=True)
class PlatformRequest:
    """A vendor platform's signed push (平台对接): whose devices it may speak for."""

    platform_id: int
    vendor_id: int
    body: bytes
    received_at: dt.datetime


def authenticate_platform(request, body: bytes) -> PlatformRequest:
    """The device API's checks for a vendor's platform, in the same order: headers, platform, timestamp window,
    signature (the device API's string to sign, with the platform's secret), disabled, nonce."""
    key, timestamp, nonce, signature = check_headers(request, "X-Platform-Key")
    platform = VendorPlatform.objects.filter(key=key).values_list("pk", "vendor_id", "state", "secret_encrypted")
    found = platform.first()
    if found is None:
        raise DeviceRefusal(401, "unknown_platform", f"No vendor platform has key {key}.")
    pk, vendor_id, state, secret = found
    now = timezone.now()
    skew = int(timestamp) - now.timestamp()
    if abs(skew) > TIMESTAMP_WINDOW_S:
        raise DeviceRefusal(
            401,
            "stale_timestamp",
            f"The timestamp is {int(skew)} s from the server's clock (limit ±300 s).",
            extra={"server_time": int(now.timestamp())},
        )
    if not signature_matches(_secret(secret), signature, request.method, request.path, timestamp, nonce, body):
        raise DeviceRefusal(401, "bad_signature", "The signature does not verify.")
    if state != DeviceState.ACTIVE:
        raise DeviceRefusal(403, "platform_disabled", "This vendor platform was disabled by staff.")
    try:
        with transaction.atomic():
            VendorPlatformNonce.objects.create(platform_id=pk, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise DeviceRefusal(401, "replayed_nonce", "This nonce was used within the last 10 minutes.") from None
    return PlatformRequest(platform_id=pk, vendor_id=vendor_id, body=body, received_at=now)


EPOCH_KEY = "smz:nonce-epoch"


def _rate_refusal(limit: int) -> DeviceRefusal:
    retry = 60 - int(time.time()) % 60
    return DeviceRefusal(429, "rate_limited", f"More than {limit} requests a minute.", retry_after=retry)


def _check_nonce_and_rate(device: DeviceIdentity, nonce: str, timestamp: int) -> None:
    limit = settings.SMZ_DEVICE_REQUESTS_PER_MINUTE
    window = int(time.time() // 60)
    client = _redis()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            # The epoch first: set only if Redis started empty (a restart lost the nonces before it).
            pipe.set(EPOCH_KEY, int(time.time()), nx=True)
            pipe.get(EPOCH_KEY)
            pipe.set(f"smz:nonce:{device.pk}:{nonce}", 1, nx=True, ex=NONCE_TTL_S)
            pipe.incr(f"smz:rate:{device.pk}:{window}")
            pipe.expire(f"smz:rate:{device.pk}:{window}", 120)
            _new_epoch, epoch, fresh, count, _ = pipe.execute()
        except redis.RedisError:
            logger.warning("Redis unreachable: device nonces and rates fall back to PostgreSQL")
            if _state.failed_at is None:
                _state.failed_at = time.time()
        else:
            _state.failed_at = None
            if timestamp < int(epoch):
                raise DeviceRefusal(
                    503, "unavailable", "The nonce store restarted; sign again and retry.", retry_after=5
                )
            if not fresh:
                raise DeviceRefusal(401, "replayed_nonce", "This nonce was used within the last 10 minutes.")
            if count > limit:
                raise _rate_refusal(limit)
            return
        # A nonce accepted through Redis before it failed carries a timestamp at most the device's clock
        # error after the failure: those are refused (sign again); later ones go on through PostgreSQL.
        if timestamp <= _state.failed_at + max(device.clock_skew, 0) + FAILOVER_MARGIN_S:
            raise DeviceRefusal(
                503, "unavailable", "Nonces cannot be checked now; sign again and retry.", retry_after=FAILOVER_MARGIN_S
            )
    _record_nonce_in_database(device, nonce)
    if _count_in_database(device, window) > limit:
        raise _rate_refusal(limit)


def _count_in_database(device: DeviceIdentity, window: int) -> int:
    """The device's requests this minute, counted in PostgreSQL (conditional update, then insert)."""
    rows = DeviceRateWindow.objects.filter(device_id=device.pk, window=window)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                DeviceRateWindow.objects.create(device_id=device.pk, window=window, count=1)
                return 1
        except IntegrityError:
            rows.update(count=F("count") + 1)  # another request created it a moment ago
    return rows.values_list("count", flat=True).get()


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
    VendorPlatformNonce.objects.filter(seen_at__lt=cutoff).delete()
    DeviceRateWindow.objects.filter(window__lt=int(time.time() // 60) - 2).delete()
    return deleted
