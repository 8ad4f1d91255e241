"""A small city with a month of history for the dashboard's pages."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine

from attendance.models import DailyPresence
from inspections.engine import rules_run
from inspections.models import Alert
from reports.dashboard.rollup import district_days_roll_up
from tests.factories import engage, id_number, person
from tests.inspections.enforcement.helpers import SHANGHAI

TODAY = dt.date(2026, 11, 25)
PHOTO = b"\xff\xd8\xff\xe0same-photo-bytes"


@pytest.fixture
def on_nov_25():
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        yield


@pytest.fixture
def site(city, gate, on_nov_25):
    """Haishu's project with a gate, a project manager who attends on weekdays only, ten workers who
    attend most days; the rules and the roll-up over the last days."""
    manager = engage(
        city.project, city.contractor, person(name="王建国"), category="manager", position="project_manager"
    )
    workers = [engage(city.project, city.contractor, person(name=f"工人{n}")) for n in range(10)]
    rows = []
    for offset in range(1, 25):
        day = dt.date(2026, 11, offset)
        at = dt.datetime.combine(day, dt.time(8), tzinfo=SHANGHAI)
        attending = workers[: 10 - offset % 4] + ([manager] if day.weekday() < 5 else [])
        rows += [
            DailyPresence(
                person=e.person,
                project=city.project,
                day=day,
                first_at=at,
                last_at=at,
                punch_count=1,
                valid_count=1,
                first_valid_at=at,
                last_valid_at=at,
            )
            for e in attending
        ]
    DailyPresence.objects.bulk_create(rows)
    for offset in (3, 2, 1):
        day = TODAY - dt.timedelta(days=offset)
        rules_run(day=day)
        district_days_roll_up(day=day)
    return {"manager": manager, "workers": workers}


@pytest.fixture
def reused(city, gate):
    """Two punches of two people with one photo on 20 November, judged that night (R07)."""
    numbers = [id_number("341221", "19800315", 417), id_number("341221", "19810416", 418)]
    for number, name in zip(numbers, ("陈大勇", "刘小山"), strict=True):
        engage(city.project, city.subcontractor, who=person(number, name), entered_on=dt.date(2026, 10, 1))
    photo = base64.b64encode(PHOTO).decode()
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=SHANGHAI), tick=False):
        gate.heartbeat()
        gate.punches(
            [
                {
                    "record_id": f"S-{n}",
                    "id_number": number,
                    "method": "face",
                    "direction": "in",
                    "liveness": True,
                    "match_score": 0.93,
                    "photo": photo,
                    "punched_at": dt.datetime(2026, 11, 20, 7 + n, tzinfo=SHANGHAI).isoformat(),
                }
                for n, number in enumerate(numbers)
            ]
        )
    with time_machine.travel(dt.datetime(2026, 11, 21, 1, tzinfo=SHANGHAI), tick=False):
        rules_run(day=dt.date(2026, 11, 20))
    return Alert.objects.get(rule="R07", project=city.project)
