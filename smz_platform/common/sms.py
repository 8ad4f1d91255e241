"""Text messages (短信), behind a setting the way Django's e-mail backends are: `SMZ_SMS_BACKEND` names the
class that sends. The platform sends one kind of message today: a one-time code to a phone.

- `ConsoleBackend` (the default): writes the message to the log (`smz.sms`), for trying the product out;
- `FileBackend`: appends one JSON line a message to `SMZ_SMS_FILE_PATH`, for tests and a staging machine;
- `HttpBackend`: a provider's HTTP API in the shape of the common Chinese ones (云片 Yunpian's
  `single_send`: a form POST of `apikey`, `mobile`, `text`, answered with JSON whose `code` is 0 on success),
  at `SMZ_SMS_URL` with `SMZ_SMS_API_KEY`, within `SMZ_SMS_TIMEOUT` seconds.

A message that cannot be sent raises SmsError with the provider's words; the caller decides what the user
sees (never the provider's answer, which may say whether a number exists)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("smz.sms")


class SmsError(Exception):
    """The message was not sent."""


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        log.warning("短信 to %s: %s", phone, text)


class FileBackend:
    def send(self, phone: str, text: str) -> None:
        path = Path(settings.SMZ_SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class HttpBackend:
    def send(self, phone: str, text: str) -> None:
        if urllib.parse.urlsplit(settings.SMZ_SMS_URL).scheme not in ("http", "https"):
            raise SmsError("SMZ_SMS_URL is not an http(s) address")  # never a file:// or ftp:// read
        body = urllib.parse.urlencode({"apikey": settings.SMZ_SMS_API_KEY, "mobile": phone, "text": text}).encode()
        request = urllib.request.Request(
            settings.SMZ_SMS_URL,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMZ_SMS_TIMEOUT) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise SmsError(f"the provider answered HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"the provider could not be reached: {error}") from None
        except ValueError:
            raise SmsError("the provider's answer is not JSON") from None
        if not isinstance(answer, dict) or answer.get("code") != 0:
            message = answer.get("msg", "") if isinstance(answer, dict) else ""
            code = answer.get("code") if isinstance(answer, dict) else None
            raise SmsError(f"the provider refused the message: {code} {message}".strip())


def sms_send(*, phone: str, text: str) -> None:
    """Send `text` to `phone` through the configured backend (SmsError if it could not)."""
    import_string(settings.SMZ_SMS_BACKEND)().send(phone, text)
