"""考核口径: the policies in force over an account's districts, every field in Chinese with its value,
the preset's value beside it and the clause of the notice that sets it (issue 24). Read-only: a city
changes its policy in the admin, where every change is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inspections.models import Policy
from inspections.presets import DEFAULT, PRESETS, SOURCES
from inspections.selectors.policies import policies_governing
from projects.admin.words import positions_text
from projects.choices import ParticipantRole, RegionLevel
from projects.scope import scope_of
from smz_platform.common.dates import chinese_date

# What a policy is, not what it sets: never shown as a setting.
NOT_SETTINGS = {"id", "name", "preset", "district", "in_force", "updated_at"}


@dataclass(frozen=True)
class Setting:
    label: str
    value: str
    preset_value: str
    source: str  # the preset's notice clause, or why the value is what it is
    own: bool  # the city's own choice, beyond its preset's notice


def words(name: str, value) -> str:
    """A setting's value as a regulator reads it: never a code, a JSON list or a Python value."""
    if value is None or value == []:
        return "全部" if name == "managers_judged_roles" else "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return chinese_date(value)
    if name == "r11_key_positions":
        return positions_text(value)
    if name == "managers_judged_roles":
        return "、".join(str(ParticipantRole(r).label) if r in ParticipantRole.values else r for r in value)
    field = Policy._meta.get_field(name)
    if getattr(field, "decimal_places", None) == 3:  # the ratios
        return f"{float(value) * 100:g}%"
    if isinstance(value, Decimal):  # 0.0 hours reads 0, as the preset's 0 does
        return f"{value.normalize():f}"
    return str(value)


def settings_of(policy: Policy) -> list[Setting]:
    _title, overrides = PRESETS.get(policy.preset, ("", {}))
    preset = {**DEFAULT, **overrides}
    rows = []
    for field in Policy._meta.concrete_fields:
        if field.name in NOT_SETTINGS:
            continue
        value, expected = getattr(policy, field.name), preset.get(field.name)
        shown, expected_shown = words(field.name, value), words(field.name, _typed(field, expected))
        own = shown != expected_shown
        if own:
            who = "本区县自定" if policy.district and policy.district.level == RegionLevel.DISTRICT else "本市自定"
            source = f"{who}（预设所依据的通知未作此规定）" if policy.preset else who
        elif field.name in overrides:
            source = SOURCES.get(policy.preset, {}).get(field.name, "")
        elif policy.preset in ("", "default"):
            source = "默认口径"
        else:
            source = "通知未作规定，沿用默认口径"
        rows.append(Setting(str(field.verbose_name), shown, expected_shown, source, own))
    return rows


def _typed(field, value):
    """A preset's raw value as the field holds it (ratios are written as strings in the presets)."""
    if value is not None and getattr(field, "decimal_places", None):
        return Decimal(str(value))
    return value


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require("regulate")
    governing = policies_governing(scope.districts().order_by("code"))
    return render(request, "reports/dashboard/policies.html", {
        "policies": [(policy, PRESETS.get(policy.preset, (policy.preset or "—",))[0], districts, settings_of(policy))
                     for policy, districts in governing],
    })  # fmt: skip
