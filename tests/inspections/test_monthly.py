"""The month-end presence of every project at once (the nightly run's) agrees with the per-project
presence the API shows: one selector, asked two ways."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from inspections.models import Policy
from inspections.selectors import month_presence, project_presence
from projects.models import StatusRequest
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db


def test_both_paths_give_the_same_managers_and_workers(city, gate):
    sh = dt.timezone(dt.timedelta(hours=8))
    numbers = []
    for n, (category, position, employer) in enumerate(
        [
            ("manager", "project_manager", city.contractor),
            ("manager", "safety_officer", city.contractor),
            ("worker", "", city.subcontractor),
            ("worker", "", city.subcontractor),
            ("worker", "", city.subcontractor),
        ]
    ):
        number = id_number("341221", f"1980010{n + 1}", 10 + n)
        numbers.append(number)
        engage(
            city.project,
            employer,
            who=person(number, f"人员{n}"),
            category=category,
            position=position,
            entered_on=dt.date(2026, 10, 3 + n),
            exited_on=dt.date(2026, 10, 28) if n == 4 else None,
        )
    StatusRequest.objects.create(
        project=city.project,
        kind="suspension",
        reason="r",
        state="approved",
        effective_from=dt.date(2026, 10, 20),
        effective_to=dt.date(2026, 10, 22),
        submitted_by=city.users["contractor"],
        submitted_at="2026-10-19T08:00:00+08:00",
    )
    Policy.objects.filter(preset="default").update(valid_min_punches=2, valid_min_span_hours=4, manager_grace_days=5)
    punches = []
    for day in range(1, 32):
        for n, number in enumerate(numbers):
            if (day + n) % 3 == 0:
                continue
            punches.append(
                {
                    "record_id": f"{n}-{day}-a",
                    "id_number": number,
                    "punched_at": f"2026-10-{day:02d}T07:00:00+08:00",
                    "direction": "in",
                    "method": "face",
                }
            )
            end = "12:00" if (day + n) % 4 == 0 else "17:30"  # some days span less than 4 hours
            punches.append(
                {
                    "record_id": f"{n}-{day}-b",
                    "id_number": number,
                    "punched_at": f"2026-10-{day:02d}T{end}:00+08:00",
                    "direction": "out",
                    "method": "face",
                }
            )
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=sh), tick=False):
        assert gate.punches(punches[:500]).json()["rejected"] == 0
        if punches[500:]:
            assert gate.punches(punches[500:]).json()["rejected"] == 0

    month = dt.date(2026, 10, 1)
    per_project = project_presence(project=city.project, month=month, today=dt.date(2026, 11, 25))
    together = month_presence(projects=[city.project, city.other_project], month=month, until=dt.date(2026, 10, 31))
    managers, workers = together[city.project.pk].managers, together[city.project.pk].workers
    assert managers == per_project.managers
    assert workers == per_project.workers
    assert per_project.construction_days == 28  # 31 days less the 3 suspended
    assert {m.passed for m in managers} and workers.engaged == 3
