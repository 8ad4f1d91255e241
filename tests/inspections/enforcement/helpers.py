"""Shared set-up of the enforcement tests: workers present on a day, a project's R01 alert."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from attendance.models import DailyPresence
from tests.factories import engage

SHANGHAI = ZoneInfo("Asia/Shanghai")


def workers_present(project, employer, *, day: dt.date, attended: int, absent: int = 0) -> None:
    """`attended` engaged workers with a valid punch on `day`, and `absent` engaged ones without."""
    at = dt.datetime.combine(day, dt.time(7, 30), tzinfo=SHANGHAI)
    for n in range(attended + absent):
        engagement = engage(project, employer)
        if n < attended:
            DailyPresence.objects.create(
                person=engagement.person,
                project=project,
                day=day,
                first_at=at,
                last_at=at,
                punch_count=1,
                valid_count=1,
                first_valid_at=at,
                last_valid_at=at,
            )
