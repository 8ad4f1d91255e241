"""Signed device requests for tests, made the way docs/device-api.md tells a vendor to make them."""

from __future__ import annotations

import json
import secrets as random_secrets
import time
from dataclasses import dataclass

from devices.signing import sign


@dataclass
class SignedDevice:
    client: object  # django.test.Client
    serial: str
    secret: str

    def post(
        self,
        path: str,
        body: object,
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        signature: str | None = None,
        headers: dict | None = None,
        serial: str | None = None,
    ):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or random_secrets.token_urlsafe(16)
        signature = signature or sign(self.secret.encode(), "POST", path, ts, nonce, raw)
        all_headers = {
            "X-Device-SN": serial or self.serial,
            "X-Timestamp": ts,
            "X-Nonce": nonce,
            "X-Signature": signature,
        }
        all_headers.update(headers or {})
        return self.client.post(path, raw, content_type="application/json", headers=all_headers)

    def heartbeat(self, liveness_enabled: bool = True, **kwargs):
        return self.post("/api/device/v1/heartbeat", {"liveness_enabled": liveness_enabled}, **kwargs)

    def punches(self, punches: list, **kwargs):
        return self.post("/api/device/v1/punches", {"punches": punches}, **kwargs)
