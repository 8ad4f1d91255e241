"""Reads of attendance cut to the user's people scope (projects.jurisdiction.people_q): the same scope
for the API, the admin, the dashboard and the reports."""

from __future__ import annotations

from django.db.models import QuerySet

from attendance.models import DailyPresence, Punch
from projects.jurisdiction import people_q
from projects.models import User


def punches_for(user: User) -> QuerySet[Punch]:
    return Punch.objects.filter(people_q(user))


def presence_for(user: User) -> QuerySet[DailyPresence]:
    return DailyPresence.objects.filter(people_q(user))
