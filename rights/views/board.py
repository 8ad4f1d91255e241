"""The public pages (no login, no personal data): the rights board of a project at its address, and the
results of the random inspection draws of a city (一公开)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from projects.choices import RegionLevel
from rights.printing import RIGHTS, TITLE, board_lines
from rights.selectors import (
    BOARD_CACHE_SECONDS,
    TOKEN,
    board_facts,
    board_live,
    published_city,
    published_draw,
    published_draws,
)
from smz_platform.common.publicpages import public_page

PUBLISHED_CACHE_SECONDS = 300


@require_GET
@public_page(BOARD_CACHE_SECONDS)
def board_public(request: HttpRequest, token: str) -> HttpResponse:
    """维权告示牌 at its address: a revoked or unknown address is the same 404 (nothing says which).

    A crowd of phones costs one render per board an hour: the page is kept in the shared cache
    (smz_platform.common.publicpages), which the changes of what it shows clear (the board's own and the
    registry's: rights/receivers.py; at once on the process that made them, within a second on the others);
    browsers are told to ask each time, so that a revoked address stops on the phones that opened it before."""
    if not TOKEN.fullmatch(token):
        raise Http404  # not an address the platform issues: no query
    board = board_live(token)
    if board is None:
        raise Http404
    facts = board_facts(board)
    city = board.project.district.parent
    context = {
        "title": TITLE,
        "token": token,
        "facts": facts,
        "lines": board_lines(facts),
        "rights": RIGHTS,
        "city_code": city.code if city is not None and city.level == RegionLevel.CITY else "",
    }
    return render(request, "rights/board.html", context)


# 一公开: the results of the random draws of a city's districts, for anyone (firms and projects named, people
# never). Kept rendered for five minutes (browsers too): a crowd costs one render per page.
@require_GET
@public_page(PUBLISHED_CACHE_SECONDS, browsers=True)
def draws(request: HttpRequest, code: str) -> HttpResponse:
    city = published_city(code)
    if city is None:
        raise Http404
    page = Paginator(published_draws(city), 30).get_page(request.GET.get("page"))
    return render(request, "rights/draws.html", {"city": city, "page": page})


@require_GET
@public_page(PUBLISHED_CACHE_SECONDS, browsers=True)
def draw(request: HttpRequest, code: str, draw_id: int) -> HttpResponse:
    city = published_city(code)
    found = published_draws(city).filter(pk=draw_id).first() if city is not None else None
    if found is None:
        raise Http404
    return render(request, "rights/draw.html", {"city": city, "published": published_draw(found)})
