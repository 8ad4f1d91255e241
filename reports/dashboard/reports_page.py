"""The reports page (报表): a form per workbook, set to last month. A download the page asked for that the
input does not allow comes back here: the page again, with the refused form showing what was typed
and each message beside its field (reports.views.PageForm)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from inspections.models import Campaign, Case
from projects.models import Project
from projects.scope import scope_of
from projects.scope.areas import province_cities
from reports.selectors import reporter_name

# Each form's fields, as its download reads them (reports.views).
FIELDS = {
    "annex1": ("city", "district", "campaign", "from", "to"),
    "annex2": ("case",),
    "manager_presence": ("district", "month"),
    "circular": ("city", "district", "month"),
    "ledger": ("project", "from", "to"),
}


def _defaults(today: dt.date) -> dict[str, dict[str, str]]:
    last = today.replace(day=1) - dt.timedelta(days=1)
    month = last.strftime("%Y-%m")
    dates = {"from": last.replace(day=1).isoformat(), "to": last.isoformat()}
    return {
        "annex1": dates,
        "annex2": {},
        "manager_presence": {"month": month},
        "circular": {"month": month},
        "ledger": {"from": month, "to": month},
    }


def _messages(errors) -> dict[str, list[str]]:
    """The refusal as {field: [messages]}; what names no field of the form goes under "form"."""
    if not isinstance(errors, dict):
        errors = {"form": errors}
    return {
        name: [str(m) for m in (value if isinstance(value, list | tuple) else [value])]
        for name, value in errors.items()
    }


def _render(request: HttpRequest, *, refused: str = "", errors=None, status: int = 200) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require("regulate")
    today = timezone.localdate()
    forms, defaults = {}, _defaults(today)
    for name, values in defaults.items():
        typed = name == refused
        shown = {field: request.GET.get(field, "")[:100] for field in FIELDS[name]} if typed else values
        messages = _messages(errors) if typed else {}
        stray = [m for field, ms in messages.items() if field not in FIELDS[name] for m in ms]
        forms[name] = {"values": shown, "errors": messages, "form_errors": stray}
    return render(
        request,
        "reports/dashboard/reports.html",
        {
            "forms": forms,
            "refused": refused,
            "nameless": not reporter_name(request.user),
            "month": defaults["circular"]["month"],
            "districts": scope.districts().order_by("code"),
            "campaigns": Campaign.objects.restrict(request.user, "view").order_by("-starts_on")[:20],
            "cities": province_cities(scope),
            "cases": Case.objects.restrict(request.user, "view").select_related("project").order_by("-opened_at")[:200],
            "projects": Project.objects.restrict(request.user, "view")
            .order_by("permit_no")
            .only("permit_no", "name")[:500],
        },
        status=status,
    )


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """The workbooks with their forms, set to last month: what a regulator files (the circular, the
    manager presence, Annex 1 of a month) is of a month that is over."""
    return _render(request)


def reports_form_refused(request: HttpRequest, *, form: str, errors) -> HttpResponse:
    """The page again (400), the refused form keeping what was typed, its messages beside its fields."""
    return _render(request, refused=form, errors=errors, status=400)
