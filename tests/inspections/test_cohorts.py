"""Who is judged, by cohort (中山 2019 上线通知 四(一)–(三)), under the Zhongshan preset, through the public API:
the month's presence, R11, the project page, and a project's registration with its filing date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from inspections.models import Alert, Policy
from projects.models import Project
from tests.factories import ProjectFactory, engage, id_number, participate, person
from tests.inspections.test_figures_hold import at, nights

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhongshan(city):
    """The city runs the Zhongshan preset."""
    Policy.objects.filter(district__isnull=True, in_force=True).update(in_force=False)
    Policy.objects.filter(preset="zhongshan_2019").update(in_force=True)
    return city


def _managers(project, city, seq=10):
    """A project manager of the general contractor, a chief supervisor of the supervision firm, and the
    subcontractor's labour lead (劳务负责人), none of whom ever punches."""
    engage(
        project,
        city.contractor,
        who=person(id_number("442000", "19750101", seq + 1), "王建国"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2026, 9, 1),
    )
    engage(
        project,
        city.supervisor,
        who=person(id_number("442000", "19760101", seq + 2), "李监理"),
        category="manager",
        position="chief_supervisor",
        entered_on=dt.date(2026, 9, 1),
    )
    engage(
        project,
        city.subcontractor,
        who=person(id_number("442000", "19770101", seq + 3), "张劳务"),
        category="manager",
        position="labour_lead",
        entered_on=dt.date(2026, 9, 1),
    )


def _presence(city, project):
    with time_machine.travel(at(11, 2), tick=False):
        response = city.client("haishu").get(f"/api/v1/projects/{project.permit_no}/presence/?month=2026-10")
    assert response.status_code == 200, response.content[:300]
    return {m["name"] for m in response.json()["managers"]}


def test_only_the_general_contractors_and_supervisors_managers_are_judged(zhongshan):
    """四(一): "2020年2月1日后办理建筑工程施工许可证的建设项目，
    将对施工现场管理人员（施工总承包企业及监理企业）进行考勤管理"
    — a subcontractor's labour lead is not judged on attendance; the two firms' managers are."""
    city = zhongshan
    _managers(city.project, city)
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    flagged = set(Alert.objects.filter(rule="R11", project=city.project).values_list("subject", flat=True))
    assert flagged == {"王建国（项目经理）", "李监理（总监理工程师）"}
    assert _presence(city, city.project) == {"王建国", "李监理"}


def test_under_the_default_every_firms_managers_are_judged(city):
    _managers(city.project, city)
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    assert Alert.objects.filter(rule="R11", project=city.project).count() == 3


def test_a_project_filed_before_february_2020_has_its_workers_judged_and_not_its_managers(zhongshan):
    """四(二)–(三): "对2020年2月1日前完成施工报建的在建项目，对劳务人员进行实名制管理并进行考核"
    and its managers "继续使用[诚信管理系统]，直至工程结束": none of its managers is judged on the platform;
    its silent workers are."""
    city = zhongshan
    old = ProjectFactory(district=city.haishu, filed_on=dt.date(2019, 11, 20), permitted_on=dt.date(2019, 12, 20))
    participate(old, city.contractor, "contractor")
    participate(old, city.supervisor, "supervisor")
    _managers(old, city, seq=20)
    engage(old, city.subcontractor, category="worker", entered_on=dt.date(2026, 9, 1))
    Project.objects.filter(pk=city.project.pk).update(filed_on=dt.date(2020, 2, 1))  # the cut-off day: judged
    _managers(city.project, city)
    nights(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert not Alert.objects.filter(rule="R11", project=old).exists()
    assert _presence(city, old) == set()
    assert Alert.objects.filter(rule="R12", project=old, subject_code="workers").exists()
    # Nor is their silence on the platform a silent site's (R12 "管理人员无考勤"): they attend elsewhere.
    assert not Alert.objects.filter(rule="R12", project=old, subject_code="managers").exists()
    assert Alert.objects.filter(rule="R11", project=city.project).count() == 2
    # The project page shows their days and says they are not judged.
    staff = Client()
    staff.force_login(city.users["haishu"])
    with time_machine.travel(at(11, 2), tick=False):
        page = staff.get(f"/projects/{old.permit_no}/?month=2026-10", secure=True)
        current = staff.get(f"/projects/{city.project.permit_no}/?month=2026-10", secure=True)
    assert page.status_code == 200 and "王建国" in page.content.decode()
    assert page.content.decode().count("不考核（报建批次）") == 3
    assert current.content.decode().count("不考核（报建批次）") == 1  # the subcontractor's labour lead


def test_a_project_without_a_filing_date_is_judged_as_a_current_one(zhongshan):
    """Leaving the filing date out never escapes the rule."""
    city = zhongshan
    _managers(city.project, city)
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    assert Alert.objects.filter(rule="R11", project=city.project).count() == 2


BODY = {
    "permit_no": "442000202610010001",
    "name": "中山火炬区安置房工程",
    "district": "330203",
    "kind": "building",
    "building_area_m2": 12000,
    "contract_cost_yuan": 50000000,
    "planned_start": "2026-11-01",
    "permitted_on": "2026-10-10",
    "required_positions": ["project_manager"],
}


def _register(city, who, **fields):
    body = {**BODY, "participants": [{"uscc": city.contractor.uscc, "role": "contractor"}], **fields}
    with time_machine.travel(at(10, 20), tick=False):
        return city.client(who).post("/api/v1/projects/", body, format="json")


def test_a_contractor_cannot_place_its_new_project_in_the_old_cohort(zhongshan):
    """A filing date decides who is judged: a contractor registering a project dated back to 2019 would
    have none of its managers judged. A filing more than a year old is a migration, the city's to record."""
    city = zhongshan
    refused = _register(city, "contractor", filed_on="2019-11-20", permitted_on="2019-12-20")
    assert refused.status_code == 400
    assert "只有市级用户" in refused.json()["filed_on"][0]
    assert not Project.objects.filter(permit_no=BODY["permit_no"]).exists()
    recorded = _register(city, "city", filed_on="2019-11-20", permitted_on="2019-12-20", planned_start="2020-01-10")
    assert recorded.status_code == 201 and recorded.json()["filed_on"] == "2019-11-20"


def test_a_recent_filing_is_the_contractors_to_give_and_must_come_before_the_permit(zhongshan):
    city = zhongshan
    after_permit = _register(city, "contractor", filed_on="2026-10-15")
    assert after_permit.status_code == 400 and "施工许可" in after_permit.json()["filed_on"][0]
    future = _register(city, "contractor", filed_on="2026-10-21", permitted_on=None)
    assert future.status_code == 400 and "晚于今天" in future.json()["filed_on"][0]
    created = _register(city, "contractor", filed_on="2026-09-15")
    assert created.status_code == 201 and created.json()["filed_on"] == "2026-09-15"
