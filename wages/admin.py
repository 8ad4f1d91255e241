"""The wage records in the admin, cut to the user's scope (projects.scope) and read-only but for one way in:
a firm imports its month's wage sheet from the published workbook (导入工资支付表), through the same
service as the API and the wage tab, so that every line is checked and its days come from presence; a
sheet is never typed in or edited field by field. Bank and ID numbers are only ever masked here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from projects.admin import ReadOnlyAdminMixin, ScopedAdmin
from projects.admin.base import ScopedMixin
from projects.models import Project
from projects.scope import scope_of
from smz_platform.common.errors import Conflict
from wages import services, workbook
from wages.models import ExitSettlement, LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    pass


@admin.register(WageAccount)
class WageAccountAdmin(ReadOnlyScopedAdmin):
    list_display = ["project", "bank", "account_name", "number_masked", "opened_on"]
    search_fields = ["project__name", "project__permit_no", "bank"]
    exclude = ["number_encrypted"]


@admin.register(LabourCostDeposit)
class LabourCostDepositAdmin(ReadOnlyScopedAdmin):
    list_display = ["project", "paid_on", "amount", "first_month", "last_month"]
    date_hierarchy = "paid_on"
    search_fields = ["project__name", "project__permit_no"]


class WageLineInline(ReadOnlyAdminMixin, ScopedMixin, admin.TabularInline):
    model = WageLine
    fields = [
        "person",
        "attended_days",
        "due",
        "paid",
        "paid_on",
        "card_masked",
        "through_special_account",
        "bank_status",
        "bank_amount",
        "bank_paid_on",
    ]
    readonly_fields = fields
    extra = 0


class WageSheetImportForm(forms.Form):
    """A firm's month from the published template: the projects it may prepare wages on, its own workers."""

    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    month = forms.DateField(label=_("month"), input_formats=["%Y-%m"], help_text=_("YYYY-MM, e.g. 2026-10"))
    team = forms.CharField(label=_("team"), max_length=64, required=False)
    file = forms.FileField(label=_("filled template"))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = scope_of(user).restrict(Project, "prepare_wages").order_by("name")


@admin.register(WageSheet)
class WageSheetAdmin(ReadOnlyScopedAdmin):
    list_display = ["project", "employer", "team", "month", "state", "prepared_at", "confirmed_at"]
    list_filter = ["state", "month"]
    search_fields = ["project__name", "project__permit_no", "employer__name"]
    inlines = [WageLineInline]

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="wages_wagesheet_import"), *super().get_urls()]

    @staticmethod
    def _may_import(request: HttpRequest) -> bool:
        scope = scope_of(request.user)
        return scope.firm is not None and scope.restrict(Project, "prepare_wages").exists()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "may_import": self._may_import(request)})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """导入工资支付表: every bad row named on the form, nothing half-imported (wage_sheet_prepare)."""
        if not self._may_import(request):
            raise PermissionDenied
        form = WageSheetImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                sheet = services.wage_sheet_prepare(
                    user=request.user,
                    project=data["project"],
                    employer=scope_of(request.user).firm,
                    month=data["month"],
                    team=data["team"].strip(),
                    lines=workbook.lines_from(data["file"]),
                )
            except ValidationError as error:
                for reasons in error.message_dict.values():
                    for reason in reasons:
                        form.add_error(None, reason)
            except Conflict as error:
                form.add_error("month", str(error.message))
            else:
                messages.success(
                    request, _("The wage sheet of %(month)s was imported.") % {"month": f"{sheet.month:%Y-%m}"}
                )
                return redirect("admin:wages_wagesheet_change", sheet.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Import a wage sheet"),
        }
        return TemplateResponse(request, "admin/wages/wagesheet/import.html", context)


@admin.register(LabourContract)
class LabourContractAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "engagement", "signed_on", "period", "starts_on", "ends_on", "pay_unit", "unit_price"]
    search_fields = ["code", "engagement__person__name", "engagement__project__permit_no"]
    exclude = ["file"]


@admin.register(ExitSettlement)
class ExitSettlementAdmin(ReadOnlyScopedAdmin):
    list_display = ["engagement", "workload", "amount", "settled_on", "worker_confirmed"]
    search_fields = ["engagement__person__name", "engagement__project__permit_no"]
    exclude = ["file"]
