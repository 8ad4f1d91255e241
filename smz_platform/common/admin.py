from __future__ import annotations

from django.contrib import admin

from smz_platform.common.models import AuditEvent, OperationalAlert


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log is read-only, and only the city regulator reads it (projects.auth)."""

    list_display = ["at", "username", "action", "what", "project_permit_no", "record_count", "client_address"]
    list_filter = ["action"]
    search_fields = ["username", "what", "project_permit_no"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OperationalAlert)
class OperationalAlertAdmin(admin.ModelAdmin):
    list_display = ["key", "message", "first_seen", "last_seen", "resolved_at"]
    readonly_fields = ["key", "message", "first_seen", "last_seen", "resolved_at"]

    def has_add_permission(self, request):
        return False
