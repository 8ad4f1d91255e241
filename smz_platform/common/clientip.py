"""The client's address, the one way the platform reads it (audit log, login lockout, device gateway).

X-Forwarded-For is written by whoever sends the request: only the hops our own reverse proxies add
can be believed. With SMZ_TRUSTED_PROXY_HOPS = n (0: no proxy, the embedded default), the client is the
n-th address from the right, the one the outermost trusted proxy saw; a request that did not pass
through all n proxies is judged by its socket address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    hops = settings.SMZ_TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote
