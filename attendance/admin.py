"""Read-only admin pages for punches and daily presence, cut to the user's jurisdiction."""

from __future__ import annotations

from django.contrib import admin

from attendance.models import DailyPresence, Punch
from projects.admin import ReadOnlyAdminMixin, ScopedAdmin


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Intake writes these rows; nobody edits them by hand. The people scope, not the project's: a
    subcontractor sees its own workers' punches, a vendor nobody's (projects.scope)."""


@admin.register(Punch)
class PunchAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "punched_at", "id_number_masked", "project", "device", "direction", "method", "liveness", "match_score",
        "valid", "flag_unregistered", "flag_late", "received_at",
    ]  # fmt: skip
    list_filter = ["method", "direction", "valid", "flag_unregistered", "flag_mobile", "flag_no_liveness",
                   "flag_late"]  # fmt: skip
    search_fields = ["record_id", "project__permit_no"]
    list_select_related = ["project", "device"]
    exclude = ["id_number_encrypted", "id_number_digest"]
    date_hierarchy = "punched_at"
    show_full_result_count = False  # counting a city's punches exactly on every page is not worth it


@admin.register(DailyPresence)
class DailyPresenceAdmin(ReadOnlyScopedAdmin):
    list_display = ["day", "person", "project", "first_at", "last_at", "punch_count", "valid_count"]
    search_fields = ["person__name", "project__permit_no"]
    list_select_related = ["person", "project"]
    date_hierarchy = "day"
