"""Casework in the pages (issue 15): a case's page with its alerts, findings, measures, the contractor's
replies and the history; the forms that issue a measure, confirm or withdraw the ladder's proposals,
answer an order, review the answer and close the case.

Every form posts to a view that calls the service the API calls (inspections/services/), under the
same checks: a page can do nothing the account's role could not do through the API. A bad form is
answered with the field's Chinese message and writes nothing (each action is one transaction)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inspections.choices import ANSWERABLE, MeasureKind, MeasureState, ReplyState
from inspections.models import Alert, Case, CaseEvent, InspectionFinding, Measure, RectificationReply
from inspections.rules import registry
from inspections.rules import rule as rule_spec
from inspections.services import cases as case_services
from inspections.services import measures as measure_services
from inspections.services import replies as reply_services
from projects.choices import Category
from projects.models import Enterprise, Person, Project
from projects.scope import scope_of
from projects.selectors import position_names
from reports.dashboard.kept_forms import form_refused, form_restored
from reports.dashboard.requests import date_input, form_errors
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_check

# What each entry of a case's history says (CaseEvent.action).

MAX_FILES = 10


def _violation_choices() -> list[tuple[str, str]]:
    """The finding categories a measure may rest on: the violations, not the campaign's targets."""
    return [("", "—")] + [(spec.code, f"{spec.code} {spec.label}") for spec in registry() if not spec.indicator]


def case_targets(case: Case) -> tuple[list[Enterprise], list[tuple[Person, str]]]:
    """Whom a measure of this case may fall on: the firms taking part in the project and the vendors
    whose devices serve it; the managers engaged on it, with their positions."""
    project = case.project
    # Two indexed lookups, not one OR over two joins (participants × devices of the whole city).
    ids = set(project.participants.values_list("enterprise_id", flat=True))
    ids |= set(project.devices.values_list("vendor_id", flat=True))
    firms = list(Enterprise.objects.filter(pk__in=ids).order_by("name"))
    names = position_names()
    people, seen = [], set()
    for engagement in (
        project.engagements.filter(category=Category.MANAGER)
        .select_related("person")
        .order_by("exited_on", "entered_on", "pk")[:200]
    ):
        if engagement.person_id not in seen:
            seen.add(engagement.person_id)
            people.append((engagement.person, names.get(engagement.position, engagement.position)))
    return firms, people


def _confirm_field(label) -> forms.BooleanField:
    """The box an irreversible act is ticked with: its label says what happens and to whom."""
    return forms.BooleanField(label=label, error_messages={"required": gettext_lazy("Tick the box to confirm.")})


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Measure"), choices=MeasureKind.choices)
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), widget=date_input())
    basis = forms.ChoiceField(label=gettext_lazy("Finding category"), required=False)
    document_no = forms.CharField(label=gettext_lazy("Document number"), max_length=64, required=False)
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=date_input())
    fine_yuan = forms.DecimalField(
        label=gettext_lazy("Fine (yuan)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    points = forms.IntegerField(label=gettext_lazy("Credit points"), min_value=0, max_value=100, required=False)
    target_enterprise = forms.ChoiceField(label=gettext_lazy("Enterprise"), required=False)
    target_person = forms.ChoiceField(label=gettext_lazy("Person"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(label=gettext_lazy("Document (PDF or scan)"), required=False)
    confirm = _confirm_field(
        gettext_lazy(
            "I confirm: the measure is issued to the enterprise or person chosen above, entered in their credit "
            "record, and can only be withdrawn with a reason."
        )
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        firms, people = case_targets(case)
        self.firms = {str(f.pk): f for f in firms}
        self.people = {str(p.pk): p for p, _position in people}
        self.fields["basis"].choices = _violation_choices()
        self.fields["target_enterprise"].choices = [("", _("The general contractor"))] + [
            (str(f.pk), f.name) for f in firms
        ]
        self.fields["target_person"].choices = [("", "—")] + [(str(p.pk), f"{p.name}（{pos}）") for p, pos in people]
        self.fields["issued_on"].initial = timezone.localdate()

    def measure_in(self) -> measure_services.MeasureIn:
        data = self.cleaned_data
        return measure_services.MeasureIn(
            kind=data["kind"],
            issued_on=data["issued_on"],
            basis=data["basis"],
            document_no=data["document_no"],
            deadline=data["deadline"],
            points=data["points"],
            fine_yuan=data["fine_yuan"],
            target_enterprise=self.firms.get(data["target_enterprise"]),
            target_person=self.people.get(data["target_person"]),
            note=data["note"],
        )


class ConfirmForm(forms.Form):
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), required=False, widget=date_input())
    document_no = forms.CharField(label=gettext_lazy("Document number"), max_length=64, required=False)
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=date_input())
    fine_yuan = forms.DecimalField(
        label=gettext_lazy("Fine (yuan)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    confirm = _confirm_field(
        gettext_lazy(
            "I confirm: the proposed measure is issued to those it names, entered in "
            "their credit record, and can only be withdrawn with a reason."
        )
    )


def _uploads(request: HttpRequest, field: str) -> list[tuple[str, bytes]]:
    """The files of a multiple upload, each checked (type by its first bytes, size) before anything is written."""
    files = request.FILES.getlist(field)
    if len(files) > MAX_FILES:
        raise ValidationError({field: [_("Attach at most %(n)d files.") % {"n": MAX_FILES}]})
    uploads = [(f.name, f.read()) for f in files]
    for name, content in uploads:
        try:
            file_check(content=content, field=field)
        except ValidationError as error:
            raise ValidationError({field: [f"{name}：{m}" for m in error.message_dict[field]]}) from error
    return uploads


def _back(case: Case) -> str:
    return reverse("dashboard:case", args=[case.pk])


def _act(request: HttpRequest, case: Case, action, done: str, form: forms.Form | None = None) -> HttpResponse:
    """Run one action in one transaction; its Chinese error, or its confirmation, on the case's page."""
    try:
        with transaction.atomic():
            action()
    except (ValidationError, Conflict) as error:
        form_errors(request, error, form)
    else:
        messages.success(request, done)
    return redirect(_back(case))


@login_required
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case as its reader may see it (projects.scope): regulators all of it; a firm the measures addressed
    to it (the contractor and supervision firm also the project's inspections), never the ladder's
    proposals, and nothing that names another firm's people."""
    user = request.user
    scope = scope_of(user)
    cases = Case.objects.restrict(user, "view").select_related("project", "project__district", "opened_by", "closed_by")
    item = get_object_or_404(cases, pk=case_id)
    staff = scope.allows(item, "handle")
    measures = list(
        Measure.objects.restrict(user, "view")
        .filter(case=item)
        .select_related("issued_by", "target_person")
        .prefetch_related("documents", "replies__documents", "replies__submitted_by", "replies__reviewed_by")
        .order_by("created_at", "pk")
    )
    answerable = set(Measure.objects.restrict(user, "reply").filter(case=item).values_list("pk", flat=True))
    reviewable = set(
        RectificationReply.objects.restrict(user, "review").filter(measure__case=item).values_list("pk", flat=True)
    )
    people = set(
        Person.objects.restrict(user, "view")
        .filter(pk__in=[m.target_person_id for m in measures if m.target_person_id])
        .values_list("pk", flat=True)
    )
    for measure in measures:
        measure.own_documents = [d for d in measure.documents.all() if d.reply_id is None]
        measure.answerable = (
            measure.pk in answerable and measure.kind in ANSWERABLE and measure.state == MeasureState.ISSUED
        )
        measure.person_named = measure.target_person if measure.target_person_id in people else None
        for reply in measure.replies.all():
            reply.reviewable = reply.state == ReplyState.SUBMITTED and reply.pk in reviewable
    contractor = bool(answerable)
    alerts = (
        list(Alert.objects.restrict(user, "view").filter(cases=item).order_by("rule", "period_start")) if staff else []
    )
    for alert in alerts:  # the same sentence as the alert's page and Annex 2
        describe = rule_spec(alert.rule).describe
        alert.sentence = describe(alert) if describe else ""
    events = list(
        CaseEvent.objects.restrict(user, "view").filter(case=item).select_related("by", "measure").order_by("at", "pk")
    )
    context = {
        "case": item,
        "staff": staff,
        "contractor": contractor,
        "measures": measures,
        "events": events,
        "alerts": alerts,
        "findings": InspectionFinding.objects.restrict(user, "view")
        .filter(case=item)
        .select_related("inspection")
        .order_by("pk"),
        "measure_form": form_restored(request, measure_form_key(item), MeasureForm, case=item)
        if staff and item.state == "open"
        else None,
        "confirm_form": ConfirmForm(),
    }
    return render(request, "reports/dashboard/case.html", context)


@login_required
@require_POST
def measure_issue(request: HttpRequest, case_id: int) -> HttpResponse:
    item = get_object_or_404(Case.objects.restrict(request.user, "view").select_related("project"), pk=case_id)
    scope_of(request.user).authorize(item, "handle")
    form = MeasureForm(request.POST, request.FILES, case=item)
    refused = f"{_back(item)}#issue"  # the form again, what was typed in it, each message beside its field
    if not form.is_valid():
        form_refused(request, measure_form_key(item), dict(form.errors))
        return redirect(refused)
    try:
        with transaction.atomic():  # the measure and its document, or neither
            measure = measure_services.measure_issue(user=request.user, case=item, data=form.measure_in())
            upload = form.cleaned_data["document"]
            if upload is not None:
                measure_services.measure_document_add(
                    user=request.user, measure=measure, name=upload.name, content=upload.read()
                )
    except (ValidationError, Conflict) as error:
        form_refused(request, measure_form_key(item), error)
        return redirect(refused)
    messages.success(request, _("The measure was issued."))
    return redirect(_back(item))


def _without_confirm(form: forms.Form) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "confirm"}


def measure_form_key(case: Case) -> str:
    return f"measure:{case.pk}"


def _measure(request: HttpRequest, measure_id: int) -> Measure:
    measures = Measure.objects.restrict(request.user, "view").select_related("case__project")
    return get_object_or_404(measures, pk=measure_id)


@login_required
@require_POST
def measure_confirm(request: HttpRequest, measure_id: int) -> HttpResponse:
    """确认: a proposal of the ladder is issued, with its document number (and fine, deadline)."""
    measure = _measure(request, measure_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        form_errors(request, ValidationError(dict(form.errors.items())), form)
        return redirect(_back(measure.case))
    return _act(
        request,
        measure.case,
        lambda: measure_services.measure_confirm(user=request.user, measure=measure, **_without_confirm(form)),
        _("The proposal was confirmed and issued."),
        form,
    )


@login_required
@require_POST
def measure_withdraw(request: HttpRequest, measure_id: int) -> HttpResponse:
    """撤销: a proposal declined, or a measure revoked; the reason is required."""
    measure = _measure(request, measure_id)
    reason = request.POST.get("reason", "")[:2000]
    return _act(
        request,
        measure.case,
        lambda: measure_services.measure_withdraw(user=request.user, measure=measure, reason=reason),
        _("The measure was withdrawn."),
    )


@login_required
@require_POST
def measure_reply(request: HttpRequest, measure_id: int) -> HttpResponse:
    """整改回复: the general contractor answers an order with its report and files."""
    measure = _measure(request, measure_id)
    scope_of(request.user).authorize(measure, "reply")
    text = request.POST.get("text", "")[:5000]

    def answer():
        reply_services.reply_submit(user=request.user, measure=measure, text=text, files=_uploads(request, "files"))

    return _act(request, measure.case, answer, _("The rectification report was submitted for review."))


@login_required
@require_POST
def reply_review(request: HttpRequest, reply_id: int) -> HttpResponse:
    """审核: the issuing side accepts the rectification (the order is closed) or sends it back."""
    reply = get_object_or_404(
        RectificationReply.objects.restrict(request.user, "view").select_related("measure__case__project"),
        pk=reply_id,
    )
    reply_services.reply_require_reviewer(user=request.user, reply=reply)
    action, note = request.POST.get("action"), request.POST.get("note", "")[:2000]
    if action not in ("accept", "reject"):
        messages.error(request, _("Choose accept or reject."))
        return redirect(_back(reply.measure.case))
    accept = action == "accept"
    return _act(
        request,
        reply.measure.case,
        lambda: reply_services.reply_review(user=request.user, reply=reply, accept=accept, note=note),
        _("The rectification was accepted; the order is closed.")
        if accept
        else _("The rectification was sent back; the order runs on to its deadline."),
    )


@login_required
@require_POST
def case_open_from_findings(request: HttpRequest, permit_no: str) -> HttpResponse:
    """立案 from the ticked findings of the project's inspections (the triage opens one from alerts)."""
    project = get_object_or_404(Project.objects.restrict(request.user, "view"), permit_no=permit_no)
    scope_of(request.user).authorize(project, "enforce")
    ids = [int(v) for v in request.POST.getlist("finding") if v.isdigit() and len(v) < 12]
    back = reverse("dashboard:project", args=[project.permit_no]) + "#inspections"
    if not ids:
        messages.error(request, _("Tick at least one finding."))
        return redirect(back)
    try:
        opened = case_services.case_open(
            user=request.user, project=project, title=request.POST.get("title", ""), finding_ids=ids
        )
    except (ValidationError, Conflict) as error:
        form_errors(request, error)
        return redirect(back)
    messages.success(request, _("Case opened: %(title)s (%(n)d findings).") % {"title": opened.title, "n": len(ids)})
    return redirect("dashboard:case", case_id=opened.pk)


@login_required
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    item = get_object_or_404(Case.objects.restrict(request.user, "view").select_related("project"), pk=case_id)
    note = request.POST.get("note", "")[:2000]
    return _act(
        request,
        item,
        lambda: case_services.case_close(user=request.user, case=item, note=note),
        _("The case is closed."),
    )
