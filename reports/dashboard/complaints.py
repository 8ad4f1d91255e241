"""举报投诉 on the dashboard: the district's list (the open ones also head the alert triage), and one complaint's
page, where staff read it and its photos, answer the complainant, link it to a case of the project and close
it with the reason and whether it was found true. Who may is the one scope's (`view`, `handle`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections.models import Case
from projects.scope import scope_of
from rights.models import Complaint, ComplaintState
from rights.selectors.complaints import LIVE, complaints_handled_by
from rights.services.complaints import complaint_case_link, complaint_close, complaint_reply
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_download
from smz_platform.common.models import AuditAction

STATES = {"live": LIVE, **{state.value: (state.value,) for state in ComplaintState}}


def _complaint(request: HttpRequest, complaint_id: int) -> Complaint:
    scope_of(request.user).require("regulate", _("Complaints are read by the regulators of their project."))
    return get_object_or_404(complaints_handled_by(request.user), pk=complaint_id)


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    scope_of(request.user).require("regulate", _("Complaints are read by the regulators of their project."))
    state = request.GET.get("state", "live")
    if state not in STATES:
        state = "live"
    listed = complaints_handled_by(request.user).filter(state__in=STATES[state]).order_by("deadline", "-filed_at")
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/dashboard/complaints.html",
        {
            "page": page,
            "query": f"state={state}",
            "state": state,
            "states": ComplaintState.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    found = _complaint(request, complaint_id)
    scope = scope_of(request.user)
    may_handle = scope.allows(found, "handle")
    context = {
        "complaint": found,
        "photos": found.photos.all(),
        "replies": found.replies.select_related("by"),
        "may_handle": may_handle,
        "cases": Case.objects.restrict(request.user, "view").filter(project=found.project) if may_handle else [],
        "today": timezone.localdate(),
    }
    return render(request, "reports/dashboard/complaint.html", context)


@login_required
def complaint_photo(request: HttpRequest, complaint_id: int, photo_id: int) -> HttpResponse:
    found = _complaint(request, complaint_id)
    photo = found.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    audit_event_record(
        user=request.user,
        action=AuditAction.DOWNLOAD_ATTACHMENT,
        what=f"投诉照片 {found.pk}/{photo.pk}",
        record_count=1,
        request=request,
        project_permit_no=found.project.permit_no,
    )
    return file_download(photo)


def _refused(request: HttpRequest, error: ValidationError | Conflict) -> None:
    if isinstance(error, Conflict):
        messages.error(request, error.message)
        return
    for reasons in error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]:
        for reason in reasons:
            messages.error(request, reason)


@login_required
@require_POST
def complaint_act(request: HttpRequest, complaint_id: int, act: str) -> HttpResponse:
    """答复 (reply), 关联案件 (case) or 办结 (close), each through its service."""
    found = _complaint(request, complaint_id)
    try:
        if act == "reply":
            complaint_reply(user=request.user, complaint=found, text=request.POST.get("text", ""))
            messages.success(request, _("The reply is sent; the complainant reads it with the tracking code."))
        elif act == "case":
            value = request.POST.get("case", "")
            case = None
            if value:
                case = Case.objects.restrict(request.user, "view").filter(pk=int(value) if value.isdigit() else 0)
                case = case.first()
                if case is None:
                    raise ValidationError({"case": [_("Choose a case of this project.")]})
            complaint_case_link(user=request.user, complaint=found, case=case)
            messages.success(request, _("The complaint's case is saved."))
        elif act == "close":
            upheld = {"1": True, "0": False}.get(request.POST.get("upheld", ""))
            complaint_close(user=request.user, complaint=found, upheld=upheld, reason=request.POST.get("reason", ""))
            messages.success(request, _("The complaint is closed."))
        else:
            raise Http404
    except (ValidationError, Conflict) as error:
        _refused(request, error)
    return redirect("dashboard:complaint", found.pk)
