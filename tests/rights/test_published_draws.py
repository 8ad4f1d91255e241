"""一公开 (鄂建文〔2019〕27号 三(二)): the random draws of a city's districts, published for anyone: the seed and
the weighted candidates (re-run, the same projects), the projects drawn with their firms, each visit's
findings by category, and the measures once their case is closed. Inspectors and people are never named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from inspections.services.campaigns import random_draw_make
from inspections.services.cases import case_close, case_open
from inspections.services.inspections import FindingIn, inspection_record
from inspections.services.measures import MeasureIn, measure_issue
from projects.models import Person
from smz_platform.common.publicpages import public_pages_local_forget
from tests.factories import engage, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(city):
    cache.clear()  # the pages are kept rendered for five minutes
    public_pages_local_forget()  # and this process\'s own copies, which expire with it
    manager = engage(
        city.project, city.contractor, who=person(name="周经理"), category="manager", position="project_manager"
    )
    staff = city.users["haishu"]
    draw = random_draw_make(
        user=staff,
        district=city.haishu,
        size=1,
        seed="2026-12-抽查",
        inspector_pool=["林执法", "吴执法"],
        inspector_count=2,
    )
    inspection_record(
        user=staff,
        project=city.project,
        kind="site_visit",
        day=dt.date(2026, 12, 2),
        inspectors="林执法、吴执法",
        headcount=40,
        findings=[FindingIn("R11", f"项目经理{manager.person.name}连续缺勤")],
        draw=draw,
    )
    case = case_open(user=staff, project=city.project, title="项目经理缺勤")
    measure_issue(
        user=staff,
        case=case,
        data=MeasureIn(kind="circular", issued_on=dt.date(2026, 12, 3), document_no="海建〔2026〕18号"),
    )
    return city, draw, case


def test_anyone_reads_the_citys_draws_and_the_projects_drawn_without_a_name_of_a_person(drawn):
    city, draw, case = drawn
    anyone = Client()
    listing = anyone.get(f"/public/{city.city.code}/draws/").content.decode()
    assert city.haishu.name in listing and f"/public/{city.city.code}/draws/{draw.pk}/" in listing
    text = anyone.get(f"/public/{city.city.code}/draws/{draw.pk}/").content.decode()
    for shown in (city.project.name, city.project.permit_no, city.contractor.name, "2026-12-抽查", "结果一致", "R11"):
        assert shown in text, shown
    assert "2 名" in text  # inspectors counted
    for hidden in ("林执法", "吴执法", "周经理", "连续缺勤"):  # inspectors, the manager, the inspectors' words
        assert hidden not in text, hidden
    assert "通报批评" not in text and "正在办理" in text  # the measure waits for the case's closing
    case_close(user=city.users["haishu"], case=case, note="已整改")
    cache.clear()
    public_pages_local_forget()  # and this process\'s own copies, which expire with it
    text = anyone.get(f"/public/{city.city.code}/draws/{draw.pk}/").content.decode()
    assert "通报批评" in text and "海建〔2026〕18号" in text and "正在办理" not in text
    assert not [p.name for p in Person.objects.all() if p.name in text]


def test_another_citys_draw_a_district_code_or_an_unknown_city_is_a_404(drawn):
    city, draw, _case = drawn
    anyone = Client()
    assert anyone.get(f"/public/{city.haishu.code}/draws/").status_code == 404  # a district, not a city
    assert anyone.get("/public/999999/draws/").status_code == 404
    assert anyone.get("/public/..%2F/draws/").status_code == 404
    assert anyone.get(f"/public/{city.city.code}/draws/{draw.pk + 1000}/").status_code == 404
    assert anyone.get(f"/public/{city.city.code}/draws/?page=-1").status_code == 200  # the last page, not an error
