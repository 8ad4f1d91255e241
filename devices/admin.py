from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from devices.models import Device, DeviceFlip
from projects.admin import ScopedAdmin, ScopedInline


class DeviceFlipInline(ScopedInline, admin.TabularInline):
    """The device's history: each change of online state and liveness setting."""

    model = DeviceFlip
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "field", "value_text", "detected_at"]
    ordering = ["-at"]

    @admin.display(description=_("new value"))
    def value_text(self, flip: DeviceFlip) -> str:
        return flip.value_text

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(ScopedAdmin):
    inlines = [DeviceFlipInline]
    exclude = ["secret_encrypted"]
    list_display = [
        "serial",
        "project",
        "vendor",
        "kind",
        "connection",
        "location",
        "state",
        "online",
        "liveness_enabled",
        "last_heartbeat_at",
    ]
    list_filter = ["kind", "connection", "state", "online", "liveness_enabled"]
    search_fields = ["serial", "project__permit_no", "project__name"]
    list_select_related = ["project", "vendor"]
    raw_id_fields = ["project", "vendor", "registered_by"]
