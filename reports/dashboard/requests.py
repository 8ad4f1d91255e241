"""Status requests in the pages (issue 15): the general contractor files one with its attachment from
the project's page; the district decides first and the city second, from the same page. Every action
goes through the services the API uses (projects/services/status.py), is CSRF-protected, and answers
a bad form with the field's Chinese message, changing nothing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from projects.choices import AttachmentKind, StatusRequestKind
from projects.choices import StatusRequestState as State
from projects.models import Project, StatusRequest
from projects.scope import scope_of
from projects.services.status import (
    status_request_approve,
    status_request_attachment_add,
    status_request_decider,
    status_request_reject,
    status_request_submit,
)
from reports.dashboard.kept_forms import form_refused, unconfirmed
from smz_platform.common.errors import Conflict

# The kinds a page form files; a docking permit (a vendor) and a manager's replacement (two
# engagements) need the API's fuller form.
PAGE_KINDS = [
    StatusRequestKind.SUSPENSION,
    StatusRequestKind.RESUMPTION,
    StatusRequestKind.COMPLETION,
    StatusRequestKind.STOP_ATTENDANCE,
    StatusRequestKind.STOP_MANAGER_ATTENDANCE,
    StatusRequestKind.START_DATE_CHANGE,
    StatusRequestKind.MOBILE_ATTENDANCE,
]


def date_input() -> forms.DateInput:
    """The browser's date picker: its value is ISO (2026-11-25) whatever the page's language, never the
    locale's 2026/11/25 (which a date field takes for empty, blocking the form)."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class StatusRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[(k.value, k.label) for k in PAGE_KINDS])
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000)
    effective_from = forms.DateField(label=gettext_lazy("From"), widget=date_input())
    effective_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=date_input())
    attachment = forms.FileField(label=gettext_lazy("Attachment"), required=False)
    attachment_kind = forms.ChoiceField(
        label=gettext_lazy("Attachment kind"), choices=AttachmentKind.choices, initial=AttachmentKind.FORM_SCAN
    )


def request_form_key(project: Project) -> str:
    return f"status-request:{project.pk}"


def form_errors(request: HttpRequest, error: ValidationError | Conflict, form: forms.Form | None = None) -> None:
    if isinstance(error, Conflict):
        messages.error(request, str(error))
        return
    for field, texts in error.message_dict.items():
        label = form.fields[field].label if form is not None and field in form.fields else ""
        for text in texts:
            messages.error(request, f"{label}：{text}" if label else text)


@login_required
@require_POST
def status_request_file(request: HttpRequest, permit_no: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.restrict(request.user, "view"), permit_no=permit_no)
    # Who files for the project, before what is wrong with the form.
    scope_of(request.user).authorize(
        project, "manage_project", _("Only the project's general contractor files status requests.")
    )
    back = reverse("dashboard:project", args=[project.permit_no])
    refused = f"{back}#file-request"  # the form again, what was typed in it, each message beside its field
    form = StatusRequestForm(request.POST, request.FILES)
    if not form.is_valid():
        form_refused(request, request_form_key(project), dict(form.errors))
        return redirect(refused)
    data = form.cleaned_data
    try:
        with transaction.atomic():  # the request and its attachment, or neither
            filed = status_request_submit(
                user=request.user,
                project=project,
                kind=data["kind"],
                reason=data["reason"],
                effective_from=data["effective_from"],
                effective_to=data["effective_to"],
            )
            upload = data["attachment"]
            if upload is not None:
                status_request_attachment_add(
                    user=request.user,
                    status_request=filed,
                    kind=data["attachment_kind"],
                    name=upload.name,
                    content=upload.read(),
                )
    except (ValidationError, Conflict) as error:
        form_refused(request, request_form_key(project), error)
        return redirect(refused)
    messages.success(request, _("The request was filed; it awaits the district's approval."))
    return redirect(back)


@login_required
@require_POST
def status_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    filed = get_object_or_404(
        StatusRequest.objects.restrict(request.user, "view").select_related("project"), pk=request_id
    )
    back = reverse("dashboard:project", args=[filed.project.permit_no])
    action, comment = request.POST.get("action"), request.POST.get("comment", "")
    if unconfirmed(
        request,
        _(
            "Nothing was decided: tick the box to confirm that the decision is final and is sent "
            "to the general contractor."
        ),
    ):
        return redirect(f"{back}#request-{filed.pk}")
    try:
        status_request_decider(user=request.user, request=filed)  # PermissionDenied: not this account's level
        if action == "approve":
            status_request_approve(user=request.user, status_request=filed, comment=comment)
            messages.success(request, _("Approved."))
        elif action == "reject":
            status_request_reject(user=request.user, status_request=filed, reason=comment)
            messages.success(request, _("Rejected."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except (ValidationError, Conflict) as error:
        form_errors(request, error)
    except PermissionDenied:
        raise
    return redirect(back)


def decidable(user, requests) -> set[int]:
    """The requests this account may decide now (its level of the two), in two queries."""
    ids = [item.pk for item in requests]
    first = StatusRequest.objects.restrict(user, "decide_first").filter(pk__in=ids, state=State.PENDING_DISTRICT)
    second = StatusRequest.objects.restrict(user, "decide_second").filter(pk__in=ids, state=State.PENDING_CITY)
    return set(first.values_list("pk", flat=True)) | set(second.values_list("pk", flat=True))
