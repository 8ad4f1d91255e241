"""Reads of the wage records."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from inspections.selectors.presence import attended_presence
from smz_platform.common.months import month_end, month_start


def attended_days(*, project_id: int, month: dt.date, person_ids: list[int]) -> dict[int, int]:
    """Each person's valid attended days (有效考勤天数) on the project in `month`: the one answer to "was the
    day attended" (inspections.selectors.presence), so that a back-filled or forged punch that presence does
    not count never fills a wage line either."""
    first, last = month_start(month), month_end(month)
    rows = (
        attended_presence(first=first, last=last)
        .filter(project_id=project_id, person_id__in=person_ids)
        .values("person_id")
        .annotate(days=Count("day", distinct=True))
    )
    return {row["person_id"]: row["days"] for row in rows}
