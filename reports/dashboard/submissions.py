"""报送 in the pages (issue 15): the district reviews the Annex 1 draft the night prepared (or prepares
it again), submits it, corrects it with a new version, and files its typical cases (Annex 2); the city
sees per campaign and district what was filed on time, late or not at all, with the files."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inspections.models import Campaign, Case
from projects.models import Region
from projects.scope import scope_of
from reports import services
from reports.annex1 import LABELS
from reports.dashboard.kept_forms import unconfirmed
from reports.dashboard.requests import form_errors
from reports.models import Submission, SubmissionKind
from reports.selectors import FilingStatus, filings
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import Conflict
from smz_platform.common.models import AuditAction

logger = logging.getLogger("smz.reports")

STATUS_NAMES = {
    FilingStatus.ON_TIME: gettext_lazy("Submitted on time"),
    FilingStatus.LATE: gettext_lazy("Submitted late"),
    FilingStatus.MISSING: gettext_lazy("Not submitted, overdue"),
    FilingStatus.DUE: gettext_lazy("Awaiting submission"),
}


def _regulator(request: HttpRequest) -> None:
    scope_of(request.user).require("regulate")


def _districts(user) -> list[Region]:
    return list(scope_of(user).districts().order_by("code"))


def _submissions(user):
    """The province and the city read what their districts filed (never a draft); district staff their own."""
    return Submission.objects.restrict(user, "view").select_related("campaign", "district", "case__project")


@login_required
def board(request: HttpRequest) -> HttpResponse:
    _regulator(request)
    today = timezone.localdate()
    campaigns = Campaign.objects.restrict(request.user, "view")
    rows = filings(campaigns=campaigns.order_by("-starts_on"), districts=_districts(request.user))
    district_staff = scope_of(request.user).can("file_reports")
    for row in rows:
        row.state = row.status(today)
        row.state_name = STATUS_NAMES[row.state]
        row.kind_name = SubmissionKind(row.kind).label
        # The city reads what was filed, never a district's draft as if it were its figures.
        row.shown = row.current or (row.draft if district_staff else None)
        row.figures = list(zip(LABELS, row.shown.figures.get("rows", []), strict=False)) if row.shown else []
    cases = list(Case.objects.restrict(request.user, "view").order_by("-opened_at")[:200]) if district_staff else []
    return render(
        request,
        "reports/dashboard/submissions.html",
        {
            "rows": rows,
            "today": today,
            "district_staff": district_staff,
            "cases": cases,
            "campaigns": list(campaigns.order_by("-starts_on")[:20]),
        },
    )


@login_required
@require_POST
def prepare(request: HttpRequest) -> HttpResponse:
    """生成草稿: the district's Annex 1 of a campaign, or a typical case's Annex 2, from the data of now."""
    scope = scope_of(request.user)
    scope.require("file_reports")  # the city receives the reports; it files none
    back = reverse("dashboard:submissions")
    campaign = Campaign.objects.restrict(request.user, "view").filter(pk=_int(request.POST.get("campaign"))).first()
    case = None
    kind = request.POST.get("kind", "")
    if kind == SubmissionKind.ANNEX2:
        case = Case.objects.restrict(request.user, "view").filter(pk=_int(request.POST.get("case"))).first()
        if case is None:
            messages.error(request, _("Choose one of the district's cases."))
            return redirect(back)
    if campaign is None:
        messages.error(request, _("Choose a campaign the district takes part in."))
        return redirect(back)
    try:
        draft = services.submission_prepare(
            user=request.user, campaign=campaign, district=scope.district, kind=kind, case=case
        )
    except (ValidationError, Conflict) as error:
        form_errors(request, error)
        return redirect(back)
    messages.success(request, _("The draft is ready: check the file, then submit it."))
    return redirect(f"{back}#submission-{draft.pk}")


def _int(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 else None


@login_required
@require_POST
def submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    """报送: the draft as reviewed (its SHA-256 sent back with the form) is filed and frozen."""
    _regulator(request)
    draft = get_object_or_404(_submissions(request.user), pk=submission_id)
    if unconfirmed(
        request, _("Nothing was submitted: tick the box to confirm that the version is filed with the city and frozen.")
    ):
        return redirect(reverse("dashboard:submissions") + f"#submission-{draft.pk}")
    try:
        services.submission_submit(
            user=request.user,
            submission=draft,
            sha256=request.POST.get("sha256", ""),
            note=request.POST.get("correction_note", "")[:2000],
        )
    except (ValidationError, Conflict) as error:
        form_errors(request, error)
    else:
        messages.success(request, _("Submitted to the city."))
    return redirect(reverse("dashboard:submissions") + f"#submission-{draft.pk}")


@login_required
def download(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The exact file, checked against its SHA-256 and sign-off before it is sent; audit-logged."""
    _regulator(request)
    item = get_object_or_404(_submissions(request.user), pk=submission_id)  # a draft: its district's alone
    if not item.file:
        raise Http404
    if not services.submission_intact(item):
        logger.error("submission %s: stored file or sign-off does not match", item.pk)
        message = _("The stored file no longer matches the one submitted; the platform's operator has been told.")
        return render(request, "400.html", {"message": message}, status=409)
    what = f"下载报送文件（{item.district.name}，{item.get_kind_display()}，第{item.version}版）"
    audit_event_record(user=request.user, action=AuditAction.EXPORT, request=request, record_count=1, what=what)
    with item.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=services.XLSX)
    response["Content-Disposition"] = services.Report(item.filename, b"", 0, "").content_disposition
    return response
