"""GET /api/v1/projects/{permit_no}/presence/?month= — the exact shape of the integration API's OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from projects.models import StatusRequest
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def october(city, gate):
    """October 2026 on Haishu's project: a project manager on 24 of 31 days, two workers."""
    manager_number = id_number("330203", "19750101", 11)
    engage(
        city.project,
        city.contractor,
        who=person(manager_number, "王建国"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2026, 9, 1),
    )
    worker_a, worker_b = id_number("341221", "19800101", 21), id_number("341221", "19850101", 31)
    engage(city.project, city.subcontractor, who=person(worker_a, "陈大勇"), entered_on=dt.date(2026, 9, 1))
    engage(city.project, city.subcontractor, who=person(worker_b, "李小军"), entered_on=dt.date(2026, 9, 1))
    punches = []
    for day in range(1, 32):
        stamp = f"2026-10-{day:02d}T07:30:00+08:00"
        if day <= 24:
            punches.append(
                {
                    "record_id": f"M-{day}",
                    "id_number": manager_number,
                    "punched_at": stamp,
                    "direction": "in",
                    "method": "face",
                }
            )
        punches.append(
            {"record_id": f"A-{day}", "id_number": worker_a, "punched_at": stamp, "direction": "in", "method": "face"}
        )
        if day % 2:
            punches.append(
                {
                    "record_id": f"B-{day}",
                    "id_number": worker_b,
                    "punched_at": stamp,
                    "direction": "in",
                    "method": "face",
                }
            )
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert gate.punches(punches).json()["rejected"] == 0
    return manager_number


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def test_the_answer_has_the_contracts_shape_and_figures(city, october):
    response = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-10")
    assert response.status_code == 200
    body = response.json()
    manager = body["managers"][0]
    assert body == {
        "project": city.project.permit_no,
        "month": "2026-10",
        "construction_days": 31,
        "managers": [
            {
                "engagement": manager["engagement"],
                "name": "王建国",
                "id_number": october[:6] + "********" + october[-4:],
                "position": "project_manager",
                "attended_days": 24,
                "construction_days": 31,
                "ratio": 0.774,
                "threshold": 0.8,
                "passed": False,
            }
        ],
        # Worker A every day, worker B on the 16 odd days: (31 + 16) / 62 = 0.758.
        "workers": {"engaged": 2, "attended_person_days": 47, "rate": 0.758, "threshold": 0.8, "passed": False},
        "uncounted": [],  # every punch of the month counted (none found false)
    }


def test_the_running_month_is_to_date(city, october):
    body = city.client("city").get(f"/api/v1/projects/{city.project.permit_no}/presence/").json()
    assert body["month"] == "2026-11" and body["construction_days"] == 25


def test_a_suspension_approved_for_part_of_the_month_shortens_it(city, october):
    StatusRequest.objects.create(
        project=city.project,
        kind="suspension",
        reason="r",
        state="approved",
        effective_from=dt.date(2026, 10, 25),
        effective_to=dt.date(2026, 10, 31),
        submitted_by=city.users["contractor"],
        submitted_at="2026-10-20T08:00:00+08:00",
    )
    body = city.client("city").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-10").json()
    assert body["construction_days"] == 24
    assert body["managers"][0]["ratio"] == 1.0 and body["managers"][0]["passed"] is True


@pytest.mark.parametrize("month", ["2026-13", "10-2026", "2026-12", "1999-01", "soon"])
def test_a_bad_month_is_400_naming_the_field(city, october, month):
    response = city.client("city").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month={month}")
    assert response.status_code == 400
    assert "month" in response.json()


def test_another_districts_project_is_404(city, october):
    assert city.client("jiangbei").get(f"/api/v1/projects/{city.project.permit_no}/presence/").status_code == 404


def test_the_read_costs_a_bounded_number_of_queries(city, october, django_assert_max_num_queries):
    client = city.client("haishu")
    # +2 over the reads: knox's token check, and the user's people scope (which managers it may see).
    with django_assert_max_num_queries(10):
        client.get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-10")
