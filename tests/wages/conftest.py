"""The October of the wage tests: three workers of the subcontractor on Haishu's site, their punches sent
through the device API, one worker's only punches back-filled."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from devices.services import device_register
from inspections.models import Alert
from tests.device_client import SignedDevice
from tests.factories import engage, id_number, person

SHANGHAI = ZoneInfo("Asia/Shanghai")

CHEN, LI, ZHAO = (id_number("330203", f"1990010{n}", 40 + n) for n in (1, 2, 3))
CARDS = {CHEN: "6222021234567890128", LI: "6217000010001234567", ZHAO: "6228480012345678901"}
NAMES = {CHEN: "陈大勇", LI: "李小军", ZHAO: "赵铁柱"}
PAY_DAY = dt.date(2026, 11, 30)  # October's wages, under the default policy: the last day of November


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def night(day: dt.date) -> None:
    call_command("run_rules", "--date", day.isoformat(), stdout=io.StringIO())


@pytest.fixture
def october(city, client):
    """Three workers of the subcontractor on Haishu's site: 陈 attends 12–14 October, 李 12–13 October, and
    赵's only punches (14 October) reach the platform six days late: back-filled, so he attended no valid day."""
    secret = device_register(
        user=city.users["city"],
        project=city.project,
        serial="HS-W",
        vendor=city.vendor,
        model="m",
        kind="gate",
        connection="direct",
        location="entrance",
    ).secret
    gate = SignedDevice(client, "HS-W", secret)
    for number in (CHEN, LI, ZHAO):
        engage(city.project, city.subcontractor, who=person(number, NAMES[number]), entered_on=dt.date(2026, 9, 1))

    def punch(number, day):
        return {
            "record_id": f"{number[-4:]}-{day:%m%d}",
            "id_number": number,
            "punched_at": at(day, 7, 30).isoformat(),
            "direction": "in",
            "method": "face",
            "liveness": True,
            "match_score": 0.95,
        }

    for day, numbers in ((12, (CHEN, LI)), (13, (CHEN, LI)), (14, (CHEN,))):
        when = dt.date(2026, 10, day)
        with time_machine.travel(at(when, 8), tick=False):
            gate.heartbeat()
            assert gate.punches([punch(n, when) for n in numbers]).json()["accepted"] == len(numbers)
    with time_machine.travel(at(dt.date(2026, 10, 20), 9), tick=False):
        gate.heartbeat()
        assert gate.punches([punch(ZHAO, dt.date(2026, 10, 14))]).json()["accepted"] == 1
    for day in (12, 13, 14, 20):
        night(dt.date(2026, 10, day))  # R13 finds 赵's punches back-filled on the night of the 20th
    assert Alert.objects.filter(rule="R13").exists()
    return city
