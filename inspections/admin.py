from __future__ import annotations

from django.contrib import admin

from inspections.models import Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """The city regulator sets the policy in force (only the city may change records: projects.auth)."""

    list_display = ["name", "preset", "district", "in_force", "go_live", "r11_key_ratio", "r16_worker_rate"]
    list_filter = ["in_force", "preset"]
