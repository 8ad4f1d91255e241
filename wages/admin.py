"""The wage records in the admin, read-only and cut to the user's scope (projects.scope): the firms enter
them through the wage API and the wage tab, where the services check every line; the admin is where the
city looks one up. Bank and ID numbers are only ever masked here."""

from __future__ import annotations

from django.contrib import admin

from projects.admin import ReadOnlyAdminMixin, ScopedAdmin
from projects.admin.base import ScopedMixin
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


@admin.register(WageSheet)
class WageSheetAdmin(ReadOnlyScopedAdmin):
    list_display = ["project", "employer", "team", "month", "state", "prepared_at", "confirmed_at"]
    list_filter = ["state", "month"]
    search_fields = ["project__name", "project__permit_no", "employer__name"]
    inlines = [WageLineInline]


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
