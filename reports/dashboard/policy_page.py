"""考核口径: the policies in force over an account's districts, every field in Chinese with its value,
the preset's value beside it and the clause of the notice that sets it, and each policy's versions
(issue 24). Those who may change a policy change it here: a draft previewed over last month in a
sandbox, then saved with a reason and the day it takes effect (inspections.services.policies)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from inspections.engine.preview import policy_preview
from inspections.forms import PolicyChangeForm
from inspections.models import Policy, PolicyVersion
from inspections.presets import DEFAULT, PRESETS, SOURCES
from inspections.selectors.policies import policies_governing, policy_as_of, setting_values, with_values
from inspections.services.policies import policy_change
from projects.admin.words import positions_text
from projects.choices import ParticipantRole, RegionLevel
from projects.scope import scope_of
from smz_platform.common.dates import chinese_date


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
    for field in Policy.settings_fields():
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


@dataclass(frozen=True)
class VersionRow:
    effective_from: dt.date | None
    changes: str  # what it changed, in words
    reason: str
    by: str
    at: dt.datetime


def history(policy: Policy) -> list[VersionRow]:
    """The policy's versions, newest first, each with what it changed from the one before."""
    versions = list(
        PolicyVersion.objects.filter(policy=policy)
        .select_related("created_by")
        .order_by("effective_from", "created_at")
    )
    rows, before = [], None
    for version in sorted(versions, key=lambda v: (v.effective_from or dt.date.min, v.created_at)):
        if before is None:
            changes = "变更前的口径"
        else:
            changed = [f for f in Policy.settings_fields() if before.get(f.name) != version.values.get(f.name)]
            held = with_values(policy, version.values)
            changes = "；".join(f"{f.verbose_name}：{words(f.name, getattr(held, f.name))}" for f in changed) or "—"
        rows.append(
            VersionRow(
                version.effective_from,
                changes,
                version.reason,
                version.created_by.username if version.created_by else "—",
                version.created_at,
            )
        )
        before = version.values
    return rows[::-1]


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    scope.require("regulate")
    governing = policies_governing(scope.districts().order_by("code"))
    changeable = set(Policy.objects.restrict(request.user, "change").values_list("pk", flat=True))
    return render(
        request,
        "reports/dashboard/policies.html",
        {
            "policies": [
                (
                    policy,
                    PRESETS.get(policy.preset, (policy.preset or "—",))[0],
                    districts,
                    settings_of(policy),
                    policy.pk in changeable,
                    history(policy),
                )
                for policy, districts in governing
            ],
        },
    )


def _changeable(request: HttpRequest, policy_id: int) -> Policy:
    scope_of(request.user).require("regulate")
    return get_object_or_404(Policy.objects.restrict(request.user, "change"), pk=policy_id)


@login_required
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    """The draft: every setting with the value in force, the preset's and its clause; saved with the day it
    takes effect and a reason."""
    policy = _changeable(request, policy_id)
    in_force = policy_as_of(policy)
    # The draft starts from the latest version (the row: a change never precedes one already recorded).
    form = PolicyChangeForm(request.POST or None, instance=Policy.objects.get(pk=policy.pk))
    if request.method == "POST" and form.is_valid():
        try:
            version = policy_change(
                user=request.user,
                policy=policy,
                values=form.draft_values(),
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(None if name == "__all__" else name, errors)
        else:
            since = chinese_date(version.effective_from)
            messages.success(request, f"考核口径“{policy.name}”已修改，自{since}起生效。")
            return redirect("dashboard:policies")
    return _edit_page(request, policy, in_force, form, preview=None, status=400 if request.method == "POST" else 200)


def _edit_page(request, policy, in_force, form, preview, status: int = 200) -> HttpResponse:
    current = {s.label: s for s in settings_of(in_force)}
    rows = [(form[f.name], current[str(f.verbose_name)]) for f in Policy.settings_fields()]
    return render(
        request,
        "reports/dashboard/policy_edit.html",
        {
            "policy": policy,
            "form": form,
            "rows": rows,
            "preview": preview,
            "history": history(policy),
        },
        status=status,
    )


JOB = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _progress_key(request: HttpRequest, job: str) -> str:
    return f"policy-preview:{request.user.pk}:{job}"


@login_required
@require_POST
def policy_preview_page(request: HttpRequest, policy_id: int) -> HttpResponse:
    """The draft judged over last month, nothing written; the staff member waits (a progress bar polls
    policy_preview_progress under the job's name)."""
    policy = _changeable(request, policy_id)
    in_force = policy_as_of(policy)
    form = PolicyChangeForm(request.POST, instance=Policy.objects.get(pk=policy.pk))
    form.require_change = False
    form.for_preview = True
    if not form.is_valid():
        return _edit_page(request, policy, in_force, form, preview=None, status=400)
    if form.draft_values() == setting_values(in_force):
        form.add_error(None, "草案与现行口径相同，没有可预览的变更")
        return _edit_page(request, policy, in_force, form, preview=None, status=400)
    job = request.POST.get("job", "")
    key = _progress_key(request, job) if JOB.match(job) else None

    def progress(done: int, total: int) -> None:
        if key:
            cache.set(key, {"done": done, "total": total}, timeout=600)

    draft = with_values(in_force, form.draft_values())
    result = policy_preview(policy=in_force, draft=draft, today=timezone.localdate(), progress=progress)
    return _edit_page(request, policy, in_force, form, preview=result)


@login_required
@require_GET
def policy_preview_progress(request: HttpRequest, preview_job: str) -> JsonResponse:
    scope_of(request.user).require("regulate")
    if not JOB.match(preview_job):
        raise Http404
    return JsonResponse(cache.get(_progress_key(request, preview_job)) or {"done": 0, "total": 0})
