"""The demo city's rights boards (manage.py seed_demo): a live board on every project under construction,
its labour clerk's phone given, and the districts' complaint lines (the city's for the districts without
one of their own)."""

from __future__ import annotations

import random

from django.utils import timezone

from inspections.selectors.timelines import projects_active_between
from projects.models import Region, User
from rights.models import RightsBoard
from rights.services import board_issue


def seed_boards(*, rng: random.Random) -> RightsBoard | None:
    """Returns the board of the first Haishu project, whose address seed_demo prints."""
    Region.objects.filter(code="330200").update(complaint_phone="0574-89182345")
    Region.objects.filter(code="330203").update(complaint_phone="0574-87162345")
    city = User.objects.get(username="city")
    today = timezone.localdate()
    first = None
    ningbo = projects_active_between(today, today).filter(district__parent__code="330200").select_related("district")
    for project in ningbo.order_by("id"):
        board = board_issue(user=city, project=project)
        phone = f"0574-8{rng.randint(1000000, 9999999)}"
        RightsBoard.objects.filter(pk=board.pk).update(contact_phone=phone)
        if first is None and project.district.code == "330203":
            first = board
    return first
