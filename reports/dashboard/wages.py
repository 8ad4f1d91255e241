"""The wage pages (工资): a project's wage tab (its special account, the owner's deposits, the month's wage
sheets with each worker's valid days beside what was due and paid, the wage findings), the uploads the
firms make there (a sheet from the published workbook, the general contractor's confirmation and the
bank's result file), the wage ledger workbook, and the district arrears overview.

Every page asks the one scope: the project is found only within what the account reads, each list is
restricted to what it reads (a subcontractor sees its own workers' lines), each action is authorised by
the service that performs it; bank and ID numbers are only ever masked here.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections.models import Alert
from inspections.rules import registry
from projects.models import Enterprise, Project
from projects.scope import scope_of
from reports.services import XLSX
from reports.workbooks.wages import ledger_workbook
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import Conflict
from smz_platform.common.models import AuditAction
from smz_platform.common.months import month_start, shift_month
from wages import bankfile, services, workbook
from wages.models import LabourCostDeposit, WageAccount, WageLine, WageSheet
from wages.selectors import arrears_overview, ledger_rows

MAX_UPLOAD = 10 * 1024 * 1024


def _project(request: HttpRequest, permit_no: str) -> Project:
    return get_object_or_404(
        Project.objects.restrict(request.user, "view").select_related("district"), permit_no=permit_no
    )


def _month(raw: str | None, today: dt.date) -> dt.date:
    try:
        month = month_start(dt.date.fromisoformat(f"{raw}-01")) if raw else shift_month(month_start(today), -1)
    except ValueError:
        month = shift_month(month_start(today), -1)
    return min(month, month_start(today))


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [reason for reasons in error.message_dict.values() for reason in reasons]
    return list(error.messages)


@login_required
def project_wages(request: HttpRequest, permit_no: str) -> HttpResponse:
    """The project's wage tab (工资): the month's sheets, lines and findings, and the forms its firms use."""
    project = _project(request, permit_no)
    scope = scope_of(request.user)
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    sheets = list(
        WageSheet.objects.restrict(request.user, "view")
        .filter(project=project, month=month)
        .select_related("employer", "prepared_by", "confirmed_by")
        .order_by("employer__name", "team")
    )
    lines = WageLine.objects.restrict(request.user, "view").filter(sheet__month=month)
    rows = ledger_rows(lines=lines, project_id=project.pk)
    by_sheet: dict[int, list] = {}
    for row in rows:
        by_sheet.setdefault(row.sheet_id, []).append(row)
    for sheet in sheets:
        sheet.rows = by_sheet.get(sheet.pk, [])
        sheet.may_confirm = sheet.state == "prepared" and scope.allows(sheet, "confirm")
        sheet.may_record_bank = scope.allows(sheet, "record_bank_results")
    names = {spec.code: spec.name for spec in registry() if spec.code.startswith("W")}
    alerts = list(
        Alert.objects.restrict(request.user, "view")
        .filter(project=project, rule__in=names)
        .order_by("-period_start", "rule")[:50]
    )
    for alert in alerts:
        alert.rule_name = names[alert.rule]
    employers = Enterprise.objects.filter(participations__project=project).distinct().order_by("name")
    context = {
        "project": project,
        "month": month,
        "previous": shift_month(month, -1),
        "next": shift_month(month, 1) if month < month_start(today) else None,
        "account": WageAccount.objects.restrict(request.user, "view").filter(project=project).first(),
        "deposits": LabourCostDeposit.objects.restrict(request.user, "view")
        .filter(project=project)
        .order_by("-paid_on")[:24],
        "sheets": sheets,
        "alerts": alerts,
        "may_prepare": scope.allows(project, "prepare_wages"),
        "employers": [e for e in employers if scope.may_prepare_wages(project, e)],
    }
    return render(request, "reports/dashboard/wages.html", context)


def _back(project: Project, month: dt.date) -> HttpResponse:
    return redirect(f"{reverse('dashboard:project-wages', args=[project.permit_no])}?month={month:%Y-%m}")


def _upload(request: HttpRequest, field: str = "file"):
    upload = request.FILES.get(field)
    if upload is None:
        raise ValidationError({"file": [_("Choose the file to upload.")]})
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"file": [_("The file is larger than 10 MiB.")]})
    return upload


@login_required
@require_POST
def wage_sheet_upload(request: HttpRequest, permit_no: str) -> HttpResponse:
    """An employer's month from the published workbook: every bad row named, nothing half-imported."""
    project = _project(request, permit_no)
    scope_of(request.user).authorize(project, "prepare_wages")
    month = _month(request.POST.get("month"), timezone.localdate())
    try:
        employer = Enterprise.objects.filter(pk=int(request.POST.get("employer") or 0)).first()
        if employer is None:
            raise ValidationError({"employer": [_("Choose the employing enterprise.")]})
        services.wage_sheet_prepare(
            user=request.user,
            project=project,
            employer=employer,
            month=month,
            team=(request.POST.get("team") or "").strip()[:64],
            lines=workbook.lines_from(_upload(request)),
        )
    except (ValidationError, Conflict) as error:
        for reason in _errors(error) if isinstance(error, ValidationError) else [error.message]:
            messages.error(request, reason)
    else:
        messages.success(request, _("The wage sheet of %(month)s was imported.") % {"month": f"{month:%Y-%m}"})
    return _back(project, month)


def _sheet(request: HttpRequest, sheet_id: int) -> WageSheet:
    return get_object_or_404(WageSheet.objects.restrict(request.user, "view").select_related("project"), pk=sheet_id)


@login_required
@require_POST
def wage_sheet_confirm(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """总包确认, from the wage tab."""
    sheet = _sheet(request, sheet_id)
    try:
        services.wage_sheet_confirm(user=request.user, sheet=sheet)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The wage sheet was confirmed."))
    return _back(sheet.project, sheet.month)


@login_required
@require_POST
def wage_bank_upload(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """The bank's payment-result file for one sheet, from the wage tab."""
    sheet = _sheet(request, sheet_id)
    scope_of(request.user).authorize(sheet, "record_bank_results")
    try:
        upload = _upload(request)
        count = services.wage_bank_results_record(
            user=request.user, sheet=sheet, rows=bankfile.bank_rows_from(upload, upload.name or "")
        )
    except ValidationError as error:
        for reason in _errors(error):
            messages.error(request, reason)
    else:
        messages.success(request, _("The bank's results were recorded for %(count)d lines.") % {"count": count})
    return _back(sheet.project, sheet.month)


@login_required
def wage_ledger(request: HttpRequest, permit_no: str) -> HttpResponse:
    """The project's wage ledger (工资台账) as a workbook: the lines the account reads, masked; audit-logged."""
    project = _project(request, permit_no)
    rows = ledger_rows(lines=WageLine.objects.restrict(request.user, "view"), project_id=project.pk)
    content = ledger_workbook(project=project, rows=rows, generated_at=timezone.now())
    audit_event_record(
        user=request.user,
        action=AuditAction.EXPORT,
        what=f"导出{project.name}的工资台账（{len(rows)}行）",
        record_count=len(rows),
        request=request,
        project_permit_no=project.permit_no,
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%B7%A5%E8%B5%84%E5%8F%B0%E8%B4%A6.xlsx"
    return response


@login_required
def arrears(request: HttpRequest) -> HttpResponse:
    """欠薪预警 overview: the projects of the viewer's jurisdiction with live arrears findings (W3)."""
    scope_of(request.user).require("regulate")
    rows = arrears_overview(Alert.objects.restrict(request.user, "view"))
    return render(request, "reports/dashboard/arrears.html", {"rows": rows, "total": sum(r.amount for r in rows)})
