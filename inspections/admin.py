from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from inspections.models import (
    Alert,
    Campaign,
    CampaignPhaseDates,
    Case,
    CaseEvent,
    CreditDeduction,
    CreditRecord,
    DeviceTest,
    ExportGrant,
    Inspection,
    InspectionFinding,
    Measure,
    NightlyRun,
    Policy,
    RandomDraw,
    RectificationReply,
    RuleRun,
)
from inspections.rules import registry, rule
from inspections.selectors import (
    alerts_for,
    campaigns_for,
    cases_for,
    credit_records_for,
    draws_for,
    inspections_for,
    measures_for,
)
from projects.admin import ReadOnlyAdminMixin, ScopedAdmin


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The city regulator sets the policy in force (only the city may change records: projects.auth)."""

    list_display = ["name", "preset", "district", "in_force", "go_live", "r11_key_ratio", "r16_worker_rate"]
    list_filter = ["in_force", "preset"]


class RuleFilter(admin.SimpleListFilter):
    """The rules of the registry, by their names."""

    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(spec.code, f"{spec.code} {spec.label}") for spec in registry()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


@admin.display(description=_("rule"), ordering="rule")
def rule_name(obj) -> str:
    return f"{obj.rule} {rule(obj.rule).label}"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Alerts are triaged through the API and the dashboard, where every change records who and why."""

    list_display = [rule_name, "project", "subject", "period_start", "period_end", "state", "scored", "last_seen"]
    list_filter = [RuleFilter, "state", "scored"]
    search_fields = ["project__permit_no", "project__name", "subject"]
    list_select_related = ["project"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=alerts_for(request.user).values("pk"))


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", rule_name, "part", "started_at", "duration_ms", "findings", "new_alerts",
                    "updated_alerts", "resolved_alerts"]  # fmt: skip
    list_filter = [RuleFilter]


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each night's run of the rules and its parts (a district and stage each): whether each completed,
    how often it was attempted."""

    list_display = ["day", "part", "state", "attempts", "started_at", "heartbeat_at", "finished_at"]
    list_filter = ["state"]
    exclude = ["token"]


@admin.register(ExportGrant)
class ExportGrantAdmin(admin.ModelAdmin):
    """Export grants are the city's to give (only the city changes records: projects.auth)."""

    list_display = ["user", "purpose", "project", "valid_from", "valid_to", "approved_by"]
    raw_id_fields = ["user", "project", "approved_by"]


# --- Enforcement: shown in the admin, changed only through the API and the dashboard, where every
# change goes through a service that records who and when (CaseEvent).


class FindingInline(admin.TabularInline):
    model = InspectionFinding
    extra = 0
    fields = ["category", "description", "case"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DeviceTestInline(FindingInline):
    model = DeviceTest
    fields = ["device", "refuses_photo", "refuses_video", "note"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["day", "kind", "project", "inspectors", "headcount", "campaign", "recorded_by"]
    list_filter = ["kind", "campaign"]
    search_fields = ["project__permit_no", "project__name", "inspectors"]
    list_select_related = ["project", "campaign", "recorded_by"]
    inlines = [FindingInline, DeviceTestInline]
    date_hierarchy = "day"

    def scope(self, request, queryset):
        return inspections_for(request.user)


class MeasureInline(FindingInline):
    model = Measure
    fields = ["kind", "state", "basis", "issued_on", "deadline", "issuing_body", "points", "fine_yuan"]
    readonly_fields = fields


class CaseEventInline(FindingInline):
    model = CaseEvent
    fields = ["at", "action", "measure", "by", "note"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["title", "project", "state", "opened_by", "opened_at", "closed_at"]
    list_filter = ["state"]
    search_fields = ["project__permit_no", "project__name", "title"]
    list_select_related = ["project", "opened_by"]
    inlines = [MeasureInline, CaseEventInline]

    def scope(self, request, queryset):
        return cases_for(request.user)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["kind", "state", "case", "basis", "issued_on", "deadline", "target_enterprise", "fine_yuan"]
    list_filter = ["kind", "state", "basis"]
    search_fields = ["case__project__permit_no", "case__project__name", "document_no"]
    list_select_related = ["case__project", "target_enterprise"]

    def scope(self, request, queryset):
        return measures_for(request.user)


@admin.register(RectificationReply)
class RectificationReplyAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["measure", "state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["state"]

    def scope(self, request, queryset):
        return queryset.filter(measure__in=measures_for(request.user))


@admin.register(CreditDeduction)
class CreditDeductionAdmin(admin.ModelAdmin):
    """The deduction table is the city's to set (only the city changes records: projects.auth)."""

    list_display = ["basis", "code", "points"]
    list_filter = ["basis"]
    list_editable = ["points"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["day", "enterprise", "person", "points", "scored", "reason"]
    list_filter = ["scored"]
    search_fields = ["enterprise__name", "enterprise__uscc", "reason"]
    list_select_related = ["enterprise", "person"]

    def scope(self, request, queryset):
        return credit_records_for(request.user)


class PhaseInline(FindingInline):
    model = CampaignPhaseDates
    fields = ["phase", "starts_on", "ends_on"]
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["name", "starts_on", "ends_on", "created_by"]
    inlines = [PhaseInline]

    def scope(self, request, queryset):
        return campaigns_for(request.user)


@admin.register(RandomDraw)
class RandomDrawAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["district", "size", "seed", "drawn_by", "drawn_at"]
    list_filter = ["district"]

    def scope(self, request, queryset):
        return draws_for(request.user)
