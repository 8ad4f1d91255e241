"""The upward interface client: one signed form-encoded POST per call (smz_platform.common.national), the answer's
`code` read (0 success; anything else a refusal carrying the receiver's message), a write's serial polled with
`AsyncHandleResult.Query`. Transport failures (refused, dropped, timed out) are `Unreachable`: nothing is known
to have reached the receiver, and the sender tries again later."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from smz_platform.common.national import TIMESTAMP_FORMAT, Cipher, call_form, field_encrypt

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RATE_LIMITED = -5


class Unreachable(Exception):
    """The receiver did not answer (connection refused or dropped, timeout, not JSON)."""


@dataclass(frozen=True)
class Refused(Exception):
    """The receiver answered a non-zero code: the call was not taken."""

    code: int
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


@dataclass(frozen=True)
class Result:
    status: int  # 0 pending, 10 failed, 20 succeeded
    result: str


class NationalClient:
    def __init__(
        self,
        *,
        url: str,
        appid: str,
        secret: str,
        cipher: str = Cipher.AES256,
        version: str = "1.0",
        timeout: float = 30.0,
    ) -> None:
        self.url, self.appid, self.secret = url, appid, secret
        self.cipher, self.version, self.timeout = Cipher(cipher), version, timeout

    def encrypt(self, value: str) -> str:
        """An ID or bank card number as this receiver expects it."""
        return field_encrypt(value, self.secret, self.cipher)

    def call(self, method: str, data: dict) -> dict | None:
        form = call_form(
            appid=self.appid,
            secret=self.secret,
            method=method,
            data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            nonce=secrets.token_hex(16),
            timestamp=dt.datetime.now(SHANGHAI).strftime(TIMESTAMP_FORMAT),
            version=self.version,
        )
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(form).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            raise Unreachable(str(exc) or exc.__class__.__name__) from None
        if not isinstance(answer, dict) or "code" not in answer:
            raise Unreachable("the answer is not the interface's JSON")
        code = int(answer.get("code") or 0) if str(answer.get("code", "")).lstrip("-").isdigit() else -1
        if code != 0:
            raise Refused(code, str(answer.get("message") or "")[:450])
        return answer.get("data")

    def write(self, method: str, data: dict) -> str:
        """An asynchronous write: the receiver's serial of it."""
        answer = self.call(method, data)
        serial = (answer or {}).get("requestSerialCode") if isinstance(answer, dict) else None
        if not serial:
            raise Unreachable("the write's answer carries no requestSerialCode")
        return str(serial)

    def result(self, serial: str) -> Result:
        answer = self.call("AsyncHandleResult.Query", {"requestSerialCode": serial})
        if not isinstance(answer, dict):
            raise Unreachable("the query's answer carries no status")
        return Result(int(answer.get("status") or 0), str(answer.get("result") or ""))
