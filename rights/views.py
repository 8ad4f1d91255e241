"""The public pages (no login, no personal data): the rights board of a project at its address."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from rights.printing import RIGHTS, TITLE, board_lines
from rights.selectors import BOARD_CACHE_SECONDS, TOKEN, board_cache_key, board_facts, board_live


@require_GET
def board_public(request: HttpRequest, token: str) -> HttpResponse:
    """维权告示牌 at its address: a revoked or unknown address is the same 404 (nothing says which).

    A crowd of phones costs one render per board every few minutes: the page is kept in the shared cache
    (Redis), which the board's own changes clear (a revocation at once); browsers are told to ask each time,
    so that a revoked address stops on the phones that opened it before."""
    if not TOKEN.fullmatch(token):
        raise Http404  # not an address the platform issues: no cache key made of it, no query
    key = board_cache_key(token)
    html = cache.get(key)
    if html is None:
        board = board_live(token)
        if board is None:
            raise Http404
        facts = board_facts(board)
        context = {"title": TITLE, "facts": facts, "lines": board_lines(facts), "rights": RIGHTS}
        html = render_to_string("rights/board.html", context, request=request)
        cache.set(key, html, BOARD_CACHE_SECONDS)
    response = HttpResponse(html)
    patch_cache_control(response, no_cache=True)
    return response
