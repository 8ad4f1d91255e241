"""Operational alerts (运维告警): conditions the operators must fix, logged at ERROR and kept as rows."""

from __future__ import annotations

import logging

from django.utils import timezone

from smz_platform.common.models import OperationalAlert

logger = logging.getLogger("smz.operations")


def operational_alert_raise(*, key: str, message: str) -> OperationalAlert:
    """Open the alert `key`, or keep it open with a fresh `last_seen`."""
    now = timezone.now()
    logger.error("%s: %s", key, message)
    alert, created = OperationalAlert.objects.get_or_create(
        key=key, defaults={"message": message, "first_seen": now, "last_seen": now}
    )
    if not created:
        OperationalAlert.objects.filter(pk=alert.pk).update(message=message, last_seen=now, resolved_at=None)
        alert.refresh_from_db()
    return alert


def operational_alert_resolve(*, key: str) -> None:
    OperationalAlert.objects.filter(key=key, resolved_at__isnull=True).update(resolved_at=timezone.now())
