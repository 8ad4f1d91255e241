"""Personal data and secrets at rest (PIPL): encryption, keyed lookup hashes, masking.

Keys (docs/security.md):

- **SMZ_PII_KEY**, a list: the first key encrypts, every key still decrypts (rotation). Nothing is
  encrypted with these keys directly: each purpose has its own subkey derived from each of them (HKDF,
  `info` naming the purpose), so a token of one kind never decrypts as another — ID numbers
  (`id-number`), device signing secrets (`device-secret`), stored files and photos (`file`). Data
  written before subkeys existed (under the bare keys) still decrypts; `manage.py pii_reencrypt`
  moves it, and everything else, under the first key's subkey.
- **SMZ_LOOKUP_KEY**: keys the HMAC-SHA256 digests through which ID numbers are found again. It is
  separate from the encryption keys, so that every one of those can be retired. Unset (deployments
  from before it existed), the digest key is derived from the *last* SMZ_PII_KEY as it always was;
  `manage.py check --deploy` says so, and `pii_reencrypt --rehash` moves the digests to a new key.
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

__all__ = [
    "InvalidToken",
    "decrypt",
    "encrypt",
    "file_decrypt",
    "file_encrypt",
    "lookup_digest",
    "mask_id_number",
    "rotate",
    "secret_decrypt",
    "secret_encrypt",
]

ID_NUMBER, DEVICE_SECRET, FILE = "id-number", "device-secret", "file"
BANK_ACCOUNT = "bank-account"  # wage special accounts and workers' bank cards (wages/)
PHONE = "phone"  # a worker's phone on his engagement, a named complainant's (rights/)
RECEIVER_SECRET = "receiver-secret"  # the app secrets upward receivers issue (upward/)
# The purposes of encrypted columns (smz_platform/common/fields.py): each has its own subkey.
PURPOSES = frozenset({ID_NUMBER, DEVICE_SECRET, BANK_ACCOUNT, PHONE, RECEIVER_SECRET})
# What a stored file encrypted under a file subkey starts with (a file without it is from before).
FILE_HEADER = b"SMZENC1\n"


def _subkey(key: str, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"smz-platform " + purpose.encode())
    return base64.urlsafe_b64encode(hkdf.derive(base64.urlsafe_b64decode(key.encode())))


@cache
def _fernet(purpose: str, keys: tuple[str, ...]) -> MultiFernet:
    # The purpose's subkeys first (the first one encrypts); the bare keys last, for data written before.
    return MultiFernet([Fernet(_subkey(key, purpose)) for key in keys] + [Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.SMZ_PII_KEYS)


def _token(purpose: str) -> MultiFernet:
    return _fernet(purpose, _keys())


# --- ID numbers ------------------------------------------------------------------------------------


def encrypt(text: str) -> str:
    """An ID number (or other personal text) under the `id-number` subkey."""
    return _token(ID_NUMBER).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _token(ID_NUMBER).decrypt(token.encode()).decode()


def decrypt_as(token: str, purpose: str) -> str:
    """A token of any encrypted column, under its purpose's subkey (key rotation, the backup's proof)."""
    return _token(purpose).decrypt(token.encode()).decode()


def rotate(token: str, purpose: str = ID_NUMBER) -> str:
    """Re-encrypt a token under the first key's subkey of its purpose (MultiFernet.rotate)."""
    return _token(purpose).rotate(token.encode()).decode()


# --- Device secrets --------------------------------------------------------------------------------


def secret_encrypt(secret: str) -> str:
    return _token(DEVICE_SECRET).encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _token(DEVICE_SECRET).decrypt(token.encode()).decode()


# --- Files -----------------------------------------------------------------------------------------


def file_encrypt(content: bytes) -> bytes:
    return FILE_HEADER + _token(FILE).encrypt(content)


def file_decrypt(stored: bytes) -> bytes:
    """A stored file's bytes. One written before files were encrypted by the storage is returned as it
    is (a punch photo of then was a bare Fernet token: decrypted); pii_reencrypt encrypts them all."""
    if stored.startswith(FILE_HEADER):
        return _token(FILE).decrypt(stored[len(FILE_HEADER) :])
    if stored.startswith(b"gAAAAA"):
        try:
            return _token(FILE).decrypt(stored)
        except InvalidToken:
            pass
    return stored


def file_is_current(stored: bytes) -> bool:
    """Encrypted under the first key's file subkey already (pii_reencrypt skips it)."""
    if not stored.startswith(FILE_HEADER):
        return False
    first = Fernet(_subkey(_keys()[0], FILE))
    try:
        first.decrypt(stored[len(FILE_HEADER) :])
    except InvalidToken:
        return False
    return True


# --- Lookup digests --------------------------------------------------------------------------------


@cache
def _lookup_key(configured: str, legacy_from: str) -> bytes:
    if configured:
        return base64.urlsafe_b64decode(configured.encode())
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"smz-platform id-number lookup")
    return hkdf.derive(base64.urlsafe_b64decode(legacy_from.encode()))


def lookup_digest(value: str) -> str:
    """Hex HMAC-SHA256 of a normalised identifier: what the unique index holds instead of the value."""
    key = _lookup_key(settings.SMZ_LOOKUP_KEY, _keys()[-1])
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def encrypt_as(text: str, purpose: str) -> str:
    """Text under `purpose`'s subkey (an encrypted column of that purpose)."""
    return _token(purpose).encrypt(text.encode()).decode()


def mask_bank_account(number: str) -> str:
    """6222021234567890123 → 6222 **** **** 0123 (the bank's prefix and the last four kept, as banks print)."""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]} **** **** {number[-4:]}"


def mask_phone(number: str) -> str:
    """13812345678 → 138****5678 (as operators print it); a short number keeps only its last two."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) < 7:
        return "*" * max(len(digits) - 2, 0) + digits[-2:]
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(number: str) -> str:
    """330203199001011236 → 330203********1236 (region kept, birth date and sequence hidden)."""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[-4:]}"
