"""Personal data at rest (PIPL): encryption, keyed lookup hashes, masking.

ID numbers and face photos are encrypted with MultiFernet under the keys of SMZ_PII_KEY (the first
one encrypts; the others still decrypt, for rotation). They are found again through an HMAC-SHA256
digest, keyed by a key derived from the *last* key of the list: that key stays in the list for as
long as lookups must work, so prepending a new key never invalidates the unique index.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "decrypt_bytes", "encrypt", "encrypt_bytes", "lookup_digest", "mask_id_number"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


@cache
def _lookup_key(key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"smz-platform id-number lookup")
    return hkdf.derive(base64.urlsafe_b64decode(key.encode()))


def _keys() -> tuple[str, ...]:
    return tuple(settings.SMZ_PII_KEYS)


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet(_keys()).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet(_keys()).decrypt(bytes(token))


def encrypt(text: str) -> str:
    return encrypt_bytes(text.encode()).decode()


def decrypt(token: str) -> str:
    return decrypt_bytes(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the first key (MultiFernet.rotate)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def lookup_digest(value: str) -> str:
    """Hex HMAC-SHA256 of a normalised identifier: what the unique index holds instead of the value."""
    return hmac.new(_lookup_key(_keys()[-1]), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    """330203199001011236 → 330203********1236 (region kept, birth date and sequence hidden)."""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}"
