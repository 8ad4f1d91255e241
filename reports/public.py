"""一公开, the monthly circular (月度通报): a city's circular of each month that is over, published for anyone
at /public/{city}/circulars/: per district the projects under construction, inspections, findings and
measures, the managers' pass rate and the workers' attendance rate, then the projects given a measure in
the month with their general contractor, findings (by rule) and measures. Firms and projects are named,
people never (the same rows as the regulators' circular workbook, reports.selectors.circular_rows).

A month that is over does not change much: its page is kept rendered for a day (a crowd costs nothing)."""

from __future__ import annotations

import datetime as dt
import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from projects.models import Region
from reports.annex1 import measure_name
from reports.selectors import CIRCULAR_MEASURES, circular_rows
from rights.selectors import published_city
from smz_platform.common.months import month_start, shift_month
from smz_platform.common.publicpages import public_page

MONTHS_LISTED = 12
FIRST_MONTH = dt.date(2020, 1, 1)
MONTH = re.compile(r"(\d{4})-(\d{2})")


def _city(code: str) -> Region:
    city = published_city(code)
    if city is None:
        raise Http404
    return city


@require_GET
@public_page(60 * 60, browsers=True)
def circulars(request: HttpRequest, code: str) -> HttpResponse:
    city = _city(code)
    this_month = month_start(timezone.localdate())
    months = [shift_month(this_month, -back) for back in range(1, MONTHS_LISTED + 1)]
    return render(request, "reports/public/circulars.html", {"city": city, "months": months})


@require_GET
@public_page(24 * 60 * 60, browsers=True)
def circular(request: HttpRequest, code: str, month: str) -> HttpResponse:
    city = _city(code)
    matched = MONTH.fullmatch(month)
    if matched is None or not 1 <= int(matched.group(2)) <= 12:
        raise Http404
    first = dt.date(int(matched.group(1)), int(matched.group(2)), 1)
    if not FIRST_MONTH <= first < month_start(timezone.localdate()):
        raise Http404  # only a month that is over is published
    districts = list(Region.objects.filter(parent=city).order_by("code"))
    rows, named = circular_rows(districts=districts, month=first)
    context = {
        "city": city,
        "month": first,
        "measure_names": [measure_name(kind) for kind in CIRCULAR_MEASURES],
        "rows": [
            (
                row,
                [row.measures[kind] for kind in CIRCULAR_MEASURES],
                row.managers_passed / row.managers_judged if row.managers_judged else None,
            )
            for row in rows
        ],
        "named": named,
    }
    return render(request, "reports/public/circular.html", context)
