"""一公开, the monthly circular: a city's circular of a month that is over, published for anyone: the district
rows and the projects given a measure, with firms named and never a person; the current month, a future
or malformed one, and a district's code are 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from inspections.models import Alert
from inspections.services.cases import case_open
from inspections.services.measures import MeasureIn, measure_issue
from smz_platform.common.publicpages import public_pages_local_forget
from tests.factories import engage, person

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def november(city):
    cache.clear()
    public_pages_local_forget()  # and this process\'s own copies, which expire with it
    manager = engage(
        city.project, city.contractor, who=person(name="郑经理"), category="manager", position="project_manager"
    )
    Alert.objects.create(
        key=f"R11:{city.project.pk}:n",
        subject_key=f"R11:{city.project.pk}:n",
        rule="R11",
        project=city.project,
        subject_type="engagement",
        subject_id=manager.pk,
        subject=f"{manager.person.name}（项目经理）",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        first_detected=dt.datetime(2026, 12, 1, 1, tzinfo=SH),
        last_seen=dt.datetime(2026, 12, 1, 1, tzinfo=SH),
        evidence={"name": manager.person.name, "attended_days": 9, "construction_days": 26},
    )
    case = case_open(user=city.users["haishu"], project=city.project, title="项目经理缺勤")
    measure_issue(
        user=city.users["haishu"], case=case, data=MeasureIn(kind="circular", issued_on=dt.date(2026, 11, 20))
    )
    return city


def test_anyone_reads_a_past_months_circular_with_firms_named_and_no_person(november):
    city = november
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=SH), tick=False):
        listing = Client().get(f"/public/{city.city.code}/circulars/").content.decode()
        assert f"/public/{city.city.code}/circulars/2026-11/" in listing
        text = Client().get(f"/public/{city.city.code}/circulars/2026-11/").content.decode()
    for shown in (city.haishu.name, city.jiangbei.name, city.project.name, city.contractor.name, "R11", "通报批评"):
        assert shown in text, shown
    assert "郑经理" not in text


@pytest.mark.parametrize("month", ["2026-12", "2027-01", "2026-13", "2026-1", "19-01", "2019-12", "..%2F"])
def test_the_current_a_future_or_a_malformed_month_is_a_404(november, month):
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, tzinfo=SH), tick=False):
        assert Client().get(f"/public/{november.city.code}/circulars/{month}/").status_code == 404


def test_a_district_or_unknown_code_is_a_404(november):
    assert Client().get(f"/public/{november.haishu.code}/circulars/").status_code == 404
    assert Client().get("/public/000000/circulars/2026-11/").status_code == 404
