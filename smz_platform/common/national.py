"""The national interface's calling convention (全国建筑工人管理服务信息平台 数据接口标准, 建办市函〔2018〕603号 附件2),
as the published clients implement it (docs: ../shared/docs/national.md): the signed form of a call, and the
encryption of the sensitive fields inside its data. Pure functions, no app: the upward client (issue 29) and
its receiver simulator both speak through these, and tests hold them byte for byte to worked examples made by
an independent client's own code (ibisTime/xn-gchf: its EncriptionHelper and AesUtils, run in Java).

- **Signature**: the parameters other than `sign` in name order (appid, data, format, method, nonce, timestamp,
  version), `k=v` joined by `&`, values as they are (not URL-encoded), then `&appsecret=SECRET`; the whole
  string lower-cased (the JSON in `data` included), SHA-256 of its UTF-8 bytes, lower-case hex.
- **Fields**: AES-CBC, PKCS#7, standard Base64 with padding; the key the secret's ASCII bytes (32: AES-256), the
  IV its first 16 characters. One province's variant: AES-128 with the secret's first 16 characters as both
  key and IV (`Cipher.AES128_HEAD`), a receiver's setting.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from enum import StrEnum

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher as _Cipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes

SIGNED = ("appid", "data", "format", "method", "nonce", "timestamp", "version")
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"


class Cipher(StrEnum):
    """How a receiver encrypts the sensitive fields."""

    AES256 = "aes256"  # the key: the secret's 32 bytes; the IV: its first 16 characters
    AES128_HEAD = "aes128_head"  # key and IV: the secret's first 16 characters


class FieldError(ValueError):
    """A field that cannot be decrypted with this secret (another key, not Base64, broken padding)."""


def signature(params: dict[str, str], secret: str) -> str:
    """The `sign` of a call's parameters (any `sign` among them is ignored)."""
    text = "&".join(f"{name}={params[name]}" for name in SIGNED) + f"&appsecret={secret}"
    return hashlib.sha256(text.lower().encode("utf-8")).hexdigest()


def signature_valid(params: dict[str, str], secret: str) -> bool:
    """The receiver's check: the parameters carry every signed name and the `sign` they give."""
    if any(name not in params for name in (*SIGNED, "sign")):
        return False
    return hmac.compare_digest(str(params["sign"]).lower(), signature(params, secret))


def call_form(
    *, appid: str, secret: str, method: str, data: str, nonce: str, timestamp: str, version: str = "1.0"
) -> dict[str, str]:
    """The form of one call: its parameters and their `sign` (`data` is the JSON payload as a string)."""
    params = {
        "appid": appid,
        "data": data,
        "format": "json",
        "method": method,
        "nonce": nonce,
        "timestamp": timestamp,
        "version": version,
    }
    return {**params, "sign": signature(params, secret)}


def _key_iv(secret: str, cipher: Cipher) -> tuple[bytes, bytes]:
    raw = secret.encode("ascii")
    if cipher == Cipher.AES128_HEAD:
        return raw[:16], raw[:16]
    return raw, raw[:16]


def field_encrypt(value: str, secret: str, cipher: Cipher = Cipher.AES256) -> str:
    """An ID or bank card number as the receiver expects it inside `data`."""
    key, iv = _key_iv(secret, cipher)
    padder = padding.PKCS7(128).padder()
    clear = padder.update(value.encode("utf-8")) + padder.finalize()
    encryptor = _Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(encryptor.update(clear) + encryptor.finalize()).decode("ascii")


def field_decrypt(value: str, secret: str, cipher: Cipher = Cipher.AES256) -> str:
    """The receiver's side (the simulator's): FieldError for anything this secret did not encrypt."""
    key, iv = _key_iv(secret, cipher)
    try:
        sealed = base64.b64decode(value.encode("ascii"), validate=True)
        if not sealed or len(sealed) % 16:
            raise FieldError("not a whole number of AES blocks")
        decryptor = _Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(sealed) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        if isinstance(exc, FieldError):
            raise
        raise FieldError(str(exc) or exc.__class__.__name__) from None
