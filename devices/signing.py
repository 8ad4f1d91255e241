"""The device request signature (docs/device-api.md): HMAC-SHA256 over five lines. Pure functions."""

from __future__ import annotations

import hashlib
import hmac
import re

NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SIGNATURE_PATTERN = re.compile(r"^[0-9a-f]{64}$")
TIMESTAMP_PATTERN = re.compile(r"^[0-9]{1,12}$")


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()


def sign(secret: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret, string_to_sign(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def signature_matches(
    secret: bytes, signature: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> bool:
    """Constant-time comparison, so that timing does not reveal how much of a forgery was right."""
    return hmac.compare_digest(sign(secret, method, path, timestamp, nonce, body), signature)
