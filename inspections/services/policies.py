"""Changing a policy (考核口径): a new version effective from a day no night has judged, with a reason,
audited; the one way a policy's settings change, for the policy page and the admin alike."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from inspections.models import Policy, PolicyVersion
from inspections.selectors.nights import nights_state
from inspections.selectors.policies import setting_values, with_values
from projects.models import User
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction

MAX_AHEAD = dt.timedelta(days=366)


def first_unjudged_day() -> dt.date:
    """The earliest day a change may take effect: today, or the day after the last night judged if that
    is later (a night re-run for today's date never exists: nights judge the day before)."""
    today = timezone.localdate()
    last = nights_state().last_complete
    return max(today, last.day + dt.timedelta(days=1)) if last else today


def policy_draft(*, policy: Policy, values: dict) -> Policy:
    """The policy holding the draft's values, validated as the model validates a policy (ValidationError
    naming each field at fault); nothing is written."""
    unknown = set(values) - {f.name for f in Policy.settings_fields()}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "不是考核口径的设置项"))
    draft = with_values(policy, values)
    draft.full_clean(exclude=[*Policy.NOT_SETTINGS], validate_unique=False, validate_constraints=False)
    return draft


def change_errors(*, policy: Policy, effective_from: dt.date | None, reason: str) -> dict[str, str]:
    """What is wrong with a change's date and reason (empty when nothing): a reason is required; the day
    must be one no night has judged, not before a change already recorded, and within a year."""
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写变更理由"
    elif len(reason) > 2000:
        errors["reason"] = "变更理由不超过2000字"
    earliest = first_unjudged_day()
    latest = policy.versions.exclude(effective_from=None).order_by("-effective_from").first() if policy.pk else None
    if effective_from is None:
        errors["effective_from"] = "请填写生效日期"
    elif effective_from < earliest:
        errors["effective_from"] = (
            f"生效日期不能早于{earliest.isoformat()}：此前的日期已经判定，改口径不得改写已判定的结果"
        )
    elif latest and effective_from < latest.effective_from:
        errors["effective_from"] = f"已有自{latest.effective_from.isoformat()}起生效的变更，新的变更不能早于它"
    elif effective_from > timezone.localdate() + MAX_AHEAD:
        errors["effective_from"] = "生效日期不能晚于一年以后"
    return errors


def policy_change(
    *, user: User, policy: Policy, values: dict, effective_from: dt.date, reason: str, request=None
) -> PolicyVersion:
    """Record the draft as the policy's version from `effective_from`: refused (ValidationError) without a
    reason, for a day already judged, before a change already recorded or more than a year ahead, or when
    nothing changes. The policy row keeps the latest version's settings; every reader of a day asks the
    version in force that day."""
    if not Policy.objects.restrict(user, "change").filter(pk=policy.pk).exists():
        raise PermissionDenied("无权修改该考核口径")
    errors = change_errors(policy=policy, effective_from=effective_from, reason=reason)
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        before = setting_values(locked)
        draft = policy_draft(policy=locked, values=values)
        after = setting_values(draft)
        if after == before:
            raise ValidationError({"__all__": "草案与现行口径相同，没有需要保存的变更"})
        if not locked.versioned:
            # The values until now, so that the days before the change stay judged by them.
            PolicyVersion.objects.create(
                policy=locked, effective_from=None, values=before, reason="变更前的口径", created_by=None
            )
        version = PolicyVersion.objects.create(
            policy=locked, effective_from=effective_from, values=after, reason=reason, created_by=user
        )
        draft.versioned = True
        draft.save()
        audit_event_record(
            user=user,
            action=AuditAction.CHANGE_POLICY,
            request=request,
            record_count=1,
            what=f"考核口径“{locked.name}”自{effective_from.isoformat()}起：{reason}"[:200],
        )
    return version


def changed_fields(before: dict, after: dict) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]
