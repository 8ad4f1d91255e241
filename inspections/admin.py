from __future__ import annotations

from django.contrib import admin

from inspections.models import Alert, ExportGrant, Policy, RuleRun
from projects.admin import ReadOnlyAdminMixin, ScopedAdmin
from projects.jurisdiction import projects_for


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The city regulator sets the policy in force (only the city may change records: projects.auth)."""

    list_display = ["name", "preset", "district", "in_force", "go_live", "r11_key_ratio", "r16_worker_rate"]
    list_filter = ["in_force", "preset"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Alerts are triaged through the API and the dashboard, where every change records who and why."""

    list_display = ["rule", "project", "subject", "period_start", "period_end", "state", "scored", "last_seen"]
    list_filter = ["rule", "state", "scored"]
    search_fields = ["project__permit_no", "project__name", "subject"]
    list_select_related = ["project"]

    def scope(self, request, queryset):
        return queryset.filter(project__in=projects_for(request.user))


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "rule", "started_at", "duration_ms", "findings", "new_alerts", "updated_alerts",
                    "resolved_alerts"]  # fmt: skip
    list_filter = ["rule"]


@admin.register(ExportGrant)
class ExportGrantAdmin(admin.ModelAdmin):
    """Export grants are the city's to give (only the city changes records: projects.auth)."""

    list_display = ["user", "purpose", "project", "valid_from", "valid_to", "approved_by"]
    raw_id_fields = ["user", "project", "approved_by"]
