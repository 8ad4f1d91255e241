"""Staff triage alerts: acknowledge one, or dismiss it as a false positive with the reason. Dismissing a
finding that made punches not count (R06–R10, R13) lifts those verdicts: the punches count again, and
the presence of their days and the months and inspections already judged are judged again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.engine import figures_rejudge
from inspections.models import Alert, AlertState
from inspections.services.verdicts import verdicts_lift
from projects.models import User
from projects.scope import scope_of
from smz_platform.common.errors import Conflict


def _check_staff(user: User, alert: Alert) -> None:
    scope_of(user).authorize(alert, "triage")


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
    """A false positive: dismissed with the reason and who. It covers this occurrence; the punches it had
    made not count count again, and what they change is judged again."""
    _check_staff(user, alert)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for dismissing the alert.")]})
    with transaction.atomic():
        # A resolved finding may be reviewed too: its punches stay false until staff say otherwise.
        reviewable = [AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.RESOLVED]
        updated = Alert.objects.filter(pk=alert.pk, state__in=reviewable).update(
            state=AlertState.DISMISSED, dismissed_by=user, dismissed_at=timezone.now(), dismissed_reason=reason.strip()
        )
        if updated != 1:
            raise Conflict("state", _("This alert has already been dismissed."))
        reinstated = verdicts_lift(alert_id=alert.pk)
    if reinstated:
        figures_rejudge(days={(project_id, day) for project_id, day in reinstated})
    alert.refresh_from_db()
    return alert
