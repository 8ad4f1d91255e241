"""Pages for anyone (issue 28) — the rights boards, the published draws and circulars, the public forms — served
to a crowd of phones from the shared cache, before the middleware stack.

A page for anyone is the same for every visitor who carries no session. Its view marks the answer with
`public_page(seconds)`; `PublicPageMiddleware`, right after SecurityMiddleware, keeps the marked answer of such a
request (status, headers and body, never a cookie) under its address in the shared cache (Redis), and answers the
next such request from there: no session, authentication, account language, messages, URL resolution or view.
A form's CSRF token is the one part that is each visitor's own: it is kept as a marker and filled, on every
answer, with the visitor's token (and a new cookie when he has none), exactly as CsrfViewMiddleware would.

Why not Django's cache_page: its key varies on the Cookie header that the session middleware adds to Vary, so a
crowd whose phones carry a CSRF cookie renders the page once per phone, after the whole stack (make bench-load
measured the regulators' pages twelve times slower under such a crowd).

Each process also keeps the copies it served (`_Local`), until the time the shared copy expires: the shared cache's
round trip was ~30% of such an answer's CPU (1.07–1.10 → 0.76–0.78 ms a request on one gunicorn worker, 5,000
keep-alive requests; docs/benchmarks.md). A page made to change at once (public_page_forget: a board revoked, the
registry's change of what it shows) turns a generation number in the shared cache; every process reads it at most
once a second and drops its copies when it turned, so a revoked board stops everywhere within a second (at once on
the process that revoked it). A release's pages are kept under keys of their own (the static files' manifest).

Who is a visitor of the crowd: a GET with no cookie but the CSRF one and no Authorization header. A signed-in
regulator, a worker in his session or an integration client always goes through the whole stack.

The proxy in front keeps such a page too, when it holds nothing of the visitor's own (no form's token): the answer
to a visitor carries `X-Accel-Expires` (SMZ_PUBLIC_PROXY_SECONDS, never past the platform's own copy), which nginx
reads, keeps the page by, and does not pass on (deploy/nginx.conf: only for requests with no cookie but the CSRF
one and no Authorization header, as here). A crowd on the boards then costs the platform one answer per board a
minute; what a revocation or a changed board does at once here, it does at the proxy within that time.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

KEY_PREFIX = "public-page:"
# Only these addresses are kept: a page number, or none. Any other query string renders through the stack
# (a crowd inventing queries must not fill the cache).
QUERY = re.compile(r"(page=\d{1,4})?")
TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
MARKER = b"\x00csrf\x00"
# A crowd arriving on a page not kept yet (a cold cache: a deployment, the first visitors of a month's circular)
# would render it once per request, all at once, each as costly as the first: the first renders, the others
# wait for its copy (at most RENDER_WAIT_SECONDS) — one render per page, not a stall of every thread.
RENDERING = ":rendering"
RENDER_WAIT_SECONDS, RENDER_POLL_SECONDS = 10, 0.05
MAX_PATH = 300  # longer than any public address: a hostile one is not even looked up
LEFT_OUT = {"set-cookie", "content-length", "date", "expires"}
GENERATION_KEY = KEY_PREFIX + "generation"
GENERATION_CHECK_SECONDS = 1.0
LOCAL_MAX = 2000  # copies a process keeps (a city's boards, their forms, its published pages); past it, none new


class _Local:
    """This process's copies of the kept pages, each until the shared copy's own expiry (see the module's text)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple] = {}
        self.generation: object = None
        self.checked = float("-inf")

    def get(self, key: str) -> tuple | None:
        now = time.monotonic()
        if now - self.checked >= GENERATION_CHECK_SECONDS:
            self.checked = now
            generation = _cache_call(cache.get, GENERATION_KEY)
            if generation != self.generation:
                self.generation = generation
                self.pages = {}
        kept = self.pages.get(key)
        if kept is not None and kept[3] <= time.time():
            self.pages.pop(key, None)
            return None
        return kept

    def put(self, key: str, kept: tuple, generation: object) -> None:
        """Keeps a copy read under `generation` (one read before a revocation is not kept after it)."""
        if generation is not self.generation:
            return
        if len(kept) == 4 and (key in self.pages or len(self.pages) < LOCAL_MAX):
            self.pages[key] = kept

    def forget(self, generation: object = None) -> None:
        self.generation = generation  # a copy read before this is not kept after it
        self.pages = {}


_local = _Local()


def public_pages_local_forget() -> None:
    """Drops this process's copies (the test suite, between tests, as it empties the shared cache)."""
    _local.forget()


def public_page(seconds: int, *, browsers: bool = False) -> Callable:
    """Marks a view's successful GET answer as the same for every anonymous visitor, to be kept `seconds`.

    browsers=True lets phones keep it as long too (published results); otherwise they are told to ask each time
    (a revoked board must stop on the phones that opened it)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if request.method == "GET" and response.status_code == 200:
                response.public_page_seconds = seconds
                if browsers:
                    patch_cache_control(response, public=True, max_age=seconds)
                else:
                    patch_cache_control(response, no_cache=True)
            return response

        return wrapped

    return decorate


@lru_cache(maxsize=1)
def _release() -> str:
    """The static files' manifest of this release: a kept page names their hashed addresses, which a new
    release's files replace, so a release's pages are kept apart from the one before (no key in a test run
    or under DEBUG, where the files are not hashed)."""
    return getattr(staticfiles_storage, "manifest_hash", "") or ""


def page_key(path: str, query: str = "") -> str | None:
    """The cache key of a public page's address, or None when the address is not one that is kept."""
    if not QUERY.fullmatch(query) or len(path) > MAX_PATH:
        return None
    return KEY_PREFIX + hashlib.sha256(f"{_release()}{path}?{query}".encode(errors="replace")).hexdigest()


def public_page_forget(*paths: str) -> None:
    """A page changed at once (a board revoked, its phone changed): the next visitor renders it anew."""
    _cache_call(cache.delete_many, [page_key(path) for path in paths])
    generation = secrets.token_hex(8)
    _cache_call(cache.set, GENERATION_KEY, generation, None)  # the other processes drop their copies
    _local.forget(generation)


def _visitor_key(request: HttpRequest) -> str | None:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return None
    if any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES):
        return None
    return page_key(request.path_info, request.META.get("QUERY_STRING", ""))


def _kept(response: HttpResponse, seconds: int) -> tuple[int, list[tuple[str, str]], bytes, float]:
    """Status, headers, body with the token's marker, and when the copy expires (for the processes' own copies)."""
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in LEFT_OUT]
    body = TOKEN_FIELD.sub(rb"\1" + MARKER + rb"\2", response.content)
    return response.status_code, headers, body, time.time() + seconds


def _proxy_may_keep(response: HttpResponse, body: bytes, expires: float) -> None:
    """Tells the proxy how long it may keep this answer to a visitor: not a form (its token is each visitor's own),
    never past the platform's own copy, at most SMZ_PUBLIC_PROXY_SECONDS."""
    seconds = min(settings.SMZ_PUBLIC_PROXY_SECONDS, int(expires - time.time()))
    if seconds > 0 and MARKER not in body and response.status_code == 200 and not response.cookies:
        response.headers["X-Accel-Expires"] = str(seconds)


def _cache_call(call, *args):
    """The shared cache is a speed-up: with Redis down every page is rendered through the stack, as before."""
    try:
        return call(*args)
    except Exception:  # any failure of the cache's client: connection, timeout, a value it cannot read
        logger.warning("public page cache unavailable", exc_info=True)
        return None


def _awaited(key: str) -> tuple | None:
    """The copy the rendering request keeps, once it is there; None when that request ended without keeping
    one (not a public page, a 404) or took longer than RENDER_WAIT_SECONDS: then this request renders too."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        kept = _cache_call(cache.get, key)
        if kept is not None or not _cache_call(cache.get, key + RENDERING):
            return kept
    return None


class PublicPageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _visitor_key(request)
        if key is None:
            return self.get_response(request)
        kept = _local.get(key)
        generation = _local.generation
        if kept is None:
            kept = _cache_call(cache.get, key)
            if kept is not None:
                _local.put(key, kept, generation)
        if kept is None and _cache_call(cache.add, key + RENDERING, 1, RENDER_WAIT_SECONDS) is False:
            kept = _awaited(key)  # another request renders this page now: its copy, rather than a second render
        if kept is not None:
            return self._answer(request, kept)
        try:
            response = self.get_response(request)
            seconds = getattr(response, "public_page_seconds", None)
            if seconds and not response.streaming:
                kept = _kept(response, seconds)
                _cache_call(cache.set, key, kept, seconds)
                _local.put(key, kept, generation)
                _proxy_may_keep(response, *kept[2:])
        finally:
            _cache_call(cache.delete, key + RENDERING)
        return response

    def _answer(self, request: HttpRequest, kept: tuple) -> HttpResponse:
        status, headers, body = kept[:3]
        response = HttpResponse(status=status)
        for name, value in headers:
            response.headers[name] = value
        _proxy_may_keep(response, body, kept[3])
        if MARKER in body:
            self.csrf.process_request(request)
            body = body.replace(MARKER, get_token(request).encode())
            self.csrf.process_response(request, response)
        response.content = body
        response.headers["Content-Length"] = str(len(body))
        return response
