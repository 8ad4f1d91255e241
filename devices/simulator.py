"""A device simulator: signs and pushes heartbeats and punches as a site device would (docs/device-api.md).

Vendors use it to test their integration; the intake benchmark uses it. Standard library only
(http.client with keep-alive), so it runs anywhere Python does.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from stdnum.cn import ric

from devices.signing import sign

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
BROKEN_KINDS = (
    "bad_signature",
    "stale_timestamp",
    "replayed_nonce",
    "unknown_device",
    "missing_credentials",
    "bad_json",
    "empty_batch",
    "bad_records",
)


@dataclass
class Answer:
    status: int
    body: dict
    seconds: float


def make_id_number(rng: random.Random, region: str = "341221") -> str:
    body = f"{region}{rng.randint(1966, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


class DeviceClient:
    """One device: its serial, its secret, and a kept-alive connection to the platform."""

    def __init__(self, base_url: str, serial: str, secret: str, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or (443 if self.https else 80)
        self.serial, self.secret, self.timeout = serial, secret, timeout
        self._connection: http.client.HTTPConnection | None = None
        self._last_nonce = ""
        self._last_timestamp = ""

    def _conn(self) -> http.client.HTTPConnection:
        if self._connection is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self._connection = cls(self.host, self.port, timeout=self.timeout)
        return self._connection

    def send(self, path: str, body: bytes, *, broken: str | None = None) -> Answer:
        timestamp = str(int(time.time()) - (900 if broken == "stale_timestamp" else 0))
        nonce = self._last_nonce if broken == "replayed_nonce" and self._last_nonce else secrets.token_urlsafe(16)
        if broken == "replayed_nonce" and self._last_timestamp:
            timestamp = self._last_timestamp
        signature = sign(self.secret.encode(), "POST", path, timestamp, nonce, body)
        if broken == "bad_signature":
            signature = "0" * 64
        headers = {
            "Content-Type": "application/json",
            "X-Device-SN": self.serial,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": signature,
        }
        if broken == "unknown_device":
            headers["X-Device-SN"] = "NO-SUCH-" + self.serial
        if broken == "missing_credentials":
            del headers["X-Signature"]
        self._last_nonce, self._last_timestamp = nonce, timestamp
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                connection = self._conn()
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        elapsed = time.perf_counter() - started
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"raw": raw[:200].decode(errors="replace")}
        return Answer(status=response.status, body=parsed, seconds=elapsed)

    def heartbeat(self, *, liveness_enabled: bool = True, firmware: str = "sim-1.0") -> Answer:
        reported_at = dt.datetime.now(SHANGHAI).isoformat(timespec="seconds")
        body = json.dumps({"firmware": firmware, "liveness_enabled": liveness_enabled, "reported_at": reported_at})
        return self.send("/api/device/v1/heartbeat", body.encode())

    def push(self, punches: list[dict], *, broken: str | None = None) -> Answer:
        if broken == "bad_json":
            return self.send("/api/device/v1/punches", b'{"punches": [', broken=broken)
        if broken == "empty_batch":
            return self.send("/api/device/v1/punches", b'{"punches": []}', broken=broken)
        if broken == "bad_records":
            punches = [
                dict(p, id_number=p["id_number"][:-1] + ("0" if p["id_number"][-1] != "0" else "1")) for p in punches
            ]
        return self.send("/api/device/v1/punches", json.dumps({"punches": punches}).encode(), broken=broken)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PunchFactory:
    """Punches of a device's workers, with record ids unique to the device."""

    def __init__(self, serial: str, id_numbers: list[str], seed: int = 0) -> None:
        self.serial, self.id_numbers = serial, id_numbers
        self.rng = random.Random(seed)
        self.sequence = 0

    def make(self, at: dt.datetime | None = None) -> dict:
        self.sequence += 1
        at = at or dt.datetime.now(SHANGHAI)
        return {
            "record_id": f"{self.serial}-{self.sequence:09d}",
            "id_number": self.rng.choice(self.id_numbers),
            "punched_at": at.isoformat(timespec="seconds"),
            "direction": self.rng.choice(("in", "out")),
            "method": "face",
            "liveness": True,
            "match_score": round(self.rng.uniform(0.82, 0.99), 3),
        }


class IntegrationClient:
    """The integration API (/api/schema/) with a token: enough to register devices and workers."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.connection = cls(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        self.connection.request(method, path, body=json.dumps(body).encode() if body else None, headers=self.headers)
        response = self.connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})
