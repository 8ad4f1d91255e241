"""Read-only admin pages for punches and daily presence, cut to the user's jurisdiction."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext_lazy as _

from attendance.models import DailyPresence, Punch
from attendance.verdicts import counts_q
from projects.admin import ReadOnlyAdminMixin, ScopedAdmin


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Intake writes these rows; nobody edits them by hand. The people scope, not the project's: a
    subcontractor sees its own workers' punches, a vendor nobody's (projects.scope)."""


class CountsFilter(admin.SimpleListFilter):
    """计入考勤 as the platform decides it (attendance.verdicts), not the device's flag."""

    title = _("counts for attendance")
    parameter_name = "counts"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(counts_q())
        if self.value() == "no":
            return queryset.exclude(counts_q())
        return queryset


@admin.register(Punch)
class PunchAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "punched_at",
        "id_number_masked",
        "project",
        "device",
        "direction",
        "method",
        "liveness",
        "match_score",
        "counts",
        "flag_unregistered",
        "flag_late",
        "received_at",
    ]
    list_filter = [
        CountsFilter,
        "method",
        "direction",
        "valid",
        "flag_unregistered",
        "flag_mobile",
        "flag_no_liveness",
        "flag_late",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(counts=ExpressionWrapper(counts_q(), BooleanField()))

    @admin.display(description=_("counts for attendance"), boolean=True, ordering="counts")
    def counts(self, punch: Punch) -> bool:
        return punch.counts

    search_fields = ["record_id", "project__permit_no"]
    list_select_related = ["project", "device"]
    exclude = ["id_number_encrypted", "id_number_digest"]
    date_hierarchy = "punched_at"
    readonly_fields = ["counts"]
    show_full_result_count = False  # counting a city's punches exactly on every page is not worth it


@admin.register(DailyPresence)
class DailyPresenceAdmin(ReadOnlyScopedAdmin):
    list_display = ["day", "person", "project", "first_at", "last_at", "punch_count", "valid_count"]
    search_fields = ["person__name", "project__permit_no"]
    list_select_related = ["person", "project"]
    date_hierarchy = "day"
