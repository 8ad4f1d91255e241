"""Every list endpoint of the integration API costs a fixed number of queries, however many rows it
answers: measured on a populated city, then on one with twice as much of everything. A list endpoint
added to the schema without a line here fails the first test."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devices.services import device_register
from inspections.engine import rules_run
from inspections.models import CreditDeduction
from inspections.services.campaigns import PhaseIn, campaign_create, random_draw_make
from inspections.services.cases import case_open
from inspections.services.inspections import DeviceTestIn, FindingIn, inspection_photo_add, inspection_record
from inspections.services.measures import MeasureIn, measure_issue
from projects.choices import ParticipantRole
from projects.models import Region
from projects.services.status import status_request_approve, status_request_attachment_add, status_request_submit
from tests.conftest import build_city, module_world, sign_in_everyone
from tests.factories import EnterpriseFactory, ProjectFactory, RegionFactory, engage, participate
from wages.services import (
    LineInput,
    labour_contract_record,
    labour_deposit_record,
    wage_account_open,
    wage_sheet_prepare,
)

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4 a stamped form"
JPEG = b"\xff\xd8\xff\xe0 a site photo"
_serials = itertools.count(1)

# Every list endpoint with the most queries it may make (for the city's account, which sees all).
# Token authentication is two of these: the token, and the holder's other tokens (knox ends expired ones).
LISTS = {
    "/api/v1/regions/": 4,
    "/api/v1/enterprises/": 4,
    "/api/v1/projects/": 6,
    "/api/v1/projects/{permit_no}/engagements/": 6,
    "/api/v1/projects/{permit_no}/status-history/": 4,
    "/api/v1/projects/{permit_no}/devices/": 4,
    "/api/v1/status-requests/": 8,
    "/api/v1/devices/": 4,
    "/api/v1/alerts/": 4,
    "/api/v1/inspections/": 8,
    "/api/v1/cases/": 6,
    "/api/v1/measures/": 12,
    "/api/v1/credit/records/": 4,
    "/api/v1/campaigns/": 6,
    "/api/v1/campaigns/{campaign_id}/progress/": 6,
    "/api/v1/draws/": 4,
    "/api/v1/projects/{permit_no}/labour-deposits/": 4,
    "/api/v1/wage-sheets/": 6,
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/contracts/": 6,
}


def populate(city, n: int) -> None:
    """`n` more of everything the lists show, made through the services."""
    users = city.users
    for _ in range(n):
        while Region.objects.filter(code=(code := f"3302{50 + next(_serials) % 50:02d}")).exists():
            pass  # the module's own regions stay while tests come and go
        RegionFactory(code=code, name="新区", level="district", parent=city.city)
        project = ProjectFactory(district=city.haishu)
        for enterprise, role in [
            (city.contractor, ParticipantRole.CONTRACTOR),
            (city.supervisor, ParticipantRole.SUPERVISOR),
            (EnterpriseFactory(is_contractor=False, is_subcontractor=True), ParticipantRole.SUBCONTRACTOR),
        ]:
            participate(project, enterprise, role)
        engage(project, city.contractor, category="manager", position="project_manager")
        paid = engage(project, city.contractor)
        wage_account_open(
            user=users["contractor"],
            project=project,
            bank="建设银行",
            account_name="总包",
            number="33101995301050012345",
            opened_on=dt.date(2026, 9, 1),
        )
        labour_deposit_record(
            user=users["contractor"],
            project=project,
            paid_on=dt.date(2026, 10, 8),
            amount="80000",
            first_month=dt.date(2026, 10, 1),
            last_month=dt.date(2026, 10, 1),
        )
        labour_contract_record(
            user=users["contractor"],
            engagement=paid,
            code="HT-1",
            signed_on=dt.date(2026, 8, 30),
            period="task",
            starts_on=dt.date(2026, 9, 1),
            ends_on=None,
            pay_unit="day",
            unit_price="380",
        )
        wage_sheet_prepare(
            user=users["contractor"],
            project=project,
            employer=city.contractor,
            month=dt.date(2026, 10, 1),
            lines=[
                LineInput(
                    person=paid.person,
                    due="5200",
                    paid="5200",
                    paid_on=dt.date(2026, 11, 10),
                    card="6222021234567890128",
                )
            ],
        )
        device = device_register(
            user=users["contractor"],
            project=project,
            serial=f"LIST-{next(_serials)}",
            vendor=city.vendor,
            model="m",
            kind="gate",
            connection="direct",
            location="entrance",
        ).device
        request = status_request_submit(
            user=users["contractor"],
            project=project,
            kind="suspension",
            reason="停工",
            effective_from=dt.date(2026, 11, 24),
        )
        status_request_attachment_add(
            user=users["contractor"], status_request=request, kind="form_scan", name="申请表.pdf", content=PDF
        )
        status_request_approve(user=users["haishu"], status_request=request)
        status_request_approve(user=users["city"], status_request=request)
        inspection = inspection_record(
            user=users["haishu"],
            project=project,
            kind="site_visit",
            day=dt.date(2026, 11, 24),
            inspectors="张三",
            headcount=3,
            findings=[FindingIn("R04", "无人登记")],
            device_tests=[DeviceTestIn(device.serial, True, False)],
        )
        inspection_photo_add(user=users["haishu"], inspection=inspection, caption="现场", content=JPEG)
        rules_run(day=dt.date(2026, 11, 24))
        case = case_open(
            user=users["haishu"],
            project=project,
            title="检查发现问题",
            alert_ids=list(project.alerts.values_list("pk", flat=True)),
            finding_ids=list(inspection.findings.values_list("pk", flat=True)),
        )
        for kind, fields in [
            ("rectification", {"deadline": dt.date(2026, 12, 2), "basis": "R04"}),
            ("credit", {"points": 3, "basis": "R04"}),
            ("circular", {}),
        ]:
            measure_issue(
                user=users["haishu"], case=case, data=MeasureIn(kind=kind, issued_on=dt.date(2026, 11, 25), **fields)
            )
    phases = [
        PhaseIn(phase, dt.date(2026, 11, 1) + dt.timedelta(days=7 * i), dt.date(2026, 11, 7) + dt.timedelta(days=7 * i))
        for i, phase in enumerate(["self_inspection", "local_inspection", "municipal_supervision", "summary"])
    ]
    for _ in range(n):
        campaign_create(
            user=users["city"],
            name="专项整治",
            starts_on=dt.date(2026, 11, 1),
            ends_on=dt.date(2026, 11, 28),
            districts=[city.haishu, city.jiangbei],
            phases=phases,
        )
        random_draw_make(user=users["city"], district=city.haishu, size=2)


def queries(client, url: str) -> tuple[int, int]:
    """The number of queries the list costs, and how many rows it answers."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    body = response.json()
    return len(captured), body["count"] if isinstance(body, dict) else len(body)


@pytest.fixture(scope="module")
def lists_world(django_db_setup, django_db_blocker):
    """The city with two of everything the lists show, built once for the module."""
    with module_world(django_db_blocker):
        city = sign_in_everyone(build_city())
        CreditDeduction.objects.get_or_create(basis="category", code="R04", defaults={"points": 3})
        with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH), tick=False):
            populate(city, 2)
        yield city


@pytest.fixture(scope="module")
def measured(lists_world, django_db_blocker):
    """Every list asked as the city at the world's size, then again at twice it: the city populated once for all
    the lists (each list's own test then reads its two answers). What a list failed with is its test's failure."""

    def ask_all() -> dict[str, tuple[int, int] | str]:
        answers: dict[str, tuple[int, int] | str] = {}
        for path in LISTS:
            try:
                answers[path] = queries(client, _url(path))
            except AssertionError as failed:
                answers[path] = str(failed)
        return answers

    with django_db_blocker.unblock(), time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH), tick=False):
        client = lists_world.client("city")
        few = ask_all()
        populate(lists_world, 2)
        many = ask_all()
    return few, many


def test_every_list_endpoint_of_the_schema_is_measured_here(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    lists = set()
    for path, operations in schema["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        body = next(iter(answer.get("content", {}).values()), {}).get("schema", {})
        ref = body.get("$ref", "")
        component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else body
        if component.get("type") == "array" or "results" in component.get("properties", {}):
            lists.add(path)
    assert lists == set(LISTS)


@pytest.mark.parametrize("path", sorted(LISTS))
def test_a_list_costs_the_same_queries_for_twice_the_rows(measured, path):
    few_answer, many_answer = (answers[path] for answers in measured)
    assert not isinstance(few_answer, str), few_answer
    assert not isinstance(many_answer, str), many_answer
    (few, rows), (many, more_rows) = few_answer, many_answer
    assert more_rows > rows or "{" in path, (path, rows, more_rows)  # a list of one project's or campaign's
    assert many == few, f"{path}: {few} queries for {rows} rows, {many} for {more_rows}"
    assert many <= LISTS[path], f"{path}: {many} queries"


def _url(path: str) -> str:
    """The path with its parameters: the latest project (with as much as any) and campaign."""
    from inspections.models import Campaign
    from projects.models import Project

    project = Project.objects.order_by("-pk").first()
    engagement = project.engagements.order_by("-pk").values_list("pk", flat=True).first()
    return (
        path.replace("{permit_no}", project.permit_no)
        .replace("{engagement_id}", str(engagement))
        .replace("{campaign_id}", str(Campaign.objects.order_by("-pk").values_list("pk", flat=True).first()))
    )
