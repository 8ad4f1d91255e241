"""Writes of the rules engine: alerts from findings, and their triage by staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import LIVE_STATES, Alert, AlertState
from inspections.rules.base import Finding, RuleSpec
from projects.choices import Role
from projects.jurisdiction import projects_for
from projects.models import User
from smz_platform.common.errors import Conflict


@dataclass(frozen=True)
class AlertCounts:
    new: int = 0
    updated: int = 0
    resolved: int = 0


def alerts_apply(
    *, spec: RuleSpec, day: dt.date, findings: list[Finding], now: dt.datetime, scored: dict[int, bool],
    resolve: bool = True,
) -> AlertCounts:  # fmt: skip
    """Upsert one alert per finding's key; resolve this rule's live alerts whose condition cleared
    (for a rule whose findings resolve; an event stands until staff act).

    A condition clears on `day` only if it was last seen before `day`: re-judging an earlier day (a
    rebuild of history) never resolves what later days found. A dismissed alert keeps its key: the
    same subject and period does not come back. `scored` says, per project, whether the policy's
    go-live date has passed.
    """
    rule = spec.code
    keys = {f.key for f in findings}
    live = {a.key: a for a in Alert.objects.filter(rule=rule, state__in=LIVE_STATES, key__in=keys)}
    new = updated = 0
    for finding in findings:
        alert = live.get(finding.key)
        if alert is None:
            try:
                with transaction.atomic():
                    Alert.objects.create(
                        key=finding.key, rule=rule, project_id=finding.project_id, subject_type=finding.subject_type,
                        subject_id=finding.subject_id, subject_code=finding.subject_code, subject=finding.subject[:200],
                        period_start=finding.period_start, period_end=finding.period_end, evidence=finding.evidence,
                        scored=scored.get(finding.project_id, True), first_detected=now, last_seen=now,
                    )  # fmt: skip
                new += 1
                continue
            except IntegrityError:
                alert = Alert.objects.get(key=finding.key, state__in=LIVE_STATES)  # a concurrent run made it
        if alert.state == AlertState.DISMISSED:
            continue
        Alert.objects.filter(pk=alert.pk).update(
            last_seen=max(alert.last_seen, now), period_end=max(alert.period_end, finding.period_end),
            period_start=min(alert.period_start, finding.period_start), evidence=finding.evidence,
        )  # fmt: skip
        updated += 1
    resolved = 0
    if resolve and spec.resolves:
        resolved = (
            Alert.objects.filter(rule=rule, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED], period_end__lt=day)
            .exclude(key__in=keys)
            .update(state=AlertState.RESOLVED, resolved_at=now)
        )
    return AlertCounts(new=new, updated=updated, resolved=resolved)


def _check_staff(user: User, alert: Alert) -> None:
    if user.role not in (Role.CITY, Role.DISTRICT):
        raise PermissionDenied(_("Only regulators triage alerts."))
    if not projects_for(user).filter(pk=alert.project_id).exists():
        raise PermissionDenied(_("This alert is outside your jurisdiction."))


def alert_acknowledge(*, user: User, alert: Alert) -> Alert:
    _check_staff(user, alert)
    updated = Alert.objects.filter(pk=alert.pk, state=AlertState.OPEN).update(
        state=AlertState.ACKNOWLEDGED, acknowledged_by=user, acknowledged_at=timezone.now()
    )
    if updated != 1:
        raise Conflict("state", _("Only an open alert can be acknowledged."))
    alert.refresh_from_db()
    return alert


def alert_dismiss(*, user: User, alert: Alert, reason: str) -> Alert:
    """A false positive: dismissed with the reason and who; it does not come back for this period."""
    _check_staff(user, alert)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for dismissing the alert.")]})
    updated = Alert.objects.filter(pk=alert.pk, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]).update(
        state=AlertState.DISMISSED, dismissed_by=user, dismissed_at=timezone.now(), dismissed_reason=reason.strip()
    )
    if updated != 1:
        raise Conflict("state", _("Only an open or acknowledged alert can be dismissed."))
    alert.refresh_from_db()
    return alert
