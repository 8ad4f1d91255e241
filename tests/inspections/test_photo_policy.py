"""A policy that counts only punches with a photo (a city's own choice): days without one are not attended."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine

from attendance.models import DailyPresence
from inspections.models import Policy
from inspections.selectors import month_presence, project_presence
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
PHOTO = base64.b64encode(b"\xff\xd8\xff\xe0a-face").decode()


def test_only_days_with_a_photographed_punch_count(city, gate):
    number = id_number("341221", "19800315", 417)
    engage(
        city.project,
        city.contractor,
        who=person(number, "王建国"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2026, 9, 1),
    )
    punches = []
    for day in range(1, 32):
        body = {
            "record_id": f"P-{day}",
            "id_number": number,
            "punched_at": f"2026-10-{day:02d}T07:30:00+08:00",
            "direction": "in",
            "method": "face",
        }
        if day <= 20:  # a photo on the first 20 days only
            body["photo"] = PHOTO
        punches.append(body)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=SH), tick=False):
        assert gate.punches(punches).json()["accepted"] == 31
    assert sorted(DailyPresence.objects.values_list("photo_count", flat=True)) == [0] * 11 + [1] * 20

    month = dt.date(2026, 10, 1)
    default = project_presence(project=city.project, month=month, today=dt.date(2026, 11, 25)).managers[0]
    assert default.attended_days == 31
    Policy.objects.filter(preset="default").update(valid_requires_photo=True)
    strict = project_presence(project=city.project, month=month, today=dt.date(2026, 11, 25)).managers[0]
    assert (strict.attended_days, strict.ratio, strict.passed) == (20, 0.645, False)

    together = month_presence(projects=[city.project], month=month, until=dt.date(2026, 10, 31))
    assert together[city.project.pk].managers == [strict]


def test_the_zhongshan_preset_says_what_its_notice_says_and_no_more():
    """中山 2019 上线通知 collects faces at entry (三(四)) but nowhere makes a punch without a photo invalid:
    its preset leaves photos to the city's own choice, as every other preset does."""
    assert not Policy.objects.get(preset="zhongshan_2019").valid_requires_photo
    assert not Policy.objects.get(preset="default").valid_requires_photo
