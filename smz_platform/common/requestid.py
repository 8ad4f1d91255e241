"""A request id on every request and every log line it causes (structured logs, docs/operations.md).

The id is the caller's `X-Request-ID` when it is a plausible one (a proxy or a device may set it, so
that one id follows the request through), else a new one; it goes back in the answer's `X-Request-ID`.
A logging filter puts it on every record written while the request runs, for the JSON formatter.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
PLAUSIBLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current() -> str:
    return _current.get()


class RequestIdMiddleware:
    """First in the chain, before the device fast lane, so that device requests carry one too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if PLAUSIBLE.match(offered) else uuid.uuid4().hex
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class ClientErrorsBrief(logging.Filter):
    """django.request logs a refusal (403), a missing page (404) or a bad request as a warning with the exception's
    traceback: an account probing ids wrote fifteen lines a probe, and formatting them cost each refusal more than
    its page. A 4xx is logged as its one line (status, path, request id); a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
