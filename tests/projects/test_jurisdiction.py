"""The scoping matrix: each role × each endpoint and admin list sees and writes only its own (杭建市发〔2016〕39号 四).

The city has two districts. Haishu's project has a contractor, a subcontractor, a supervision firm,
an owner and a vendor, with one engaged person each for the first three, a device and a pending
status request; Jiangbei's project has another contractor and its own device.
"""

from __future__ import annotations

import pytest

from devices.models import Device
from projects.choices import ParticipantRole
from projects.models import StatusRequest
from tests.factories import EnterpriseFactory, engage, id_number, participate

pytestmark = pytest.mark.django_db

ROLES = ["city", "haishu", "jiangbei", "contractor", "subcontractor", "supervisor", "vendor", "other_contractor"]


@pytest.fixture
def world(city):
    for employer in (city.contractor, city.subcontractor, city.supervisor):
        engage(city.project, employer)
    other_vendor = EnterpriseFactory(name="江北设备科技有限公司", is_contractor=False, is_vendor=True)
    participate(city.other_project, other_vendor, ParticipantRole.VENDOR)
    for serial, project, vendor in [
        ("HS-GATE-1", city.project, city.vendor),
        ("JB-GATE-1", city.other_project, other_vendor),
    ]:
        Device.objects.create(
            serial=serial,
            project=project,
            vendor=vendor,
            kind="gate",
            connection="direct",
            location="entrance",
            secret_encrypted="x",
        )
    StatusRequest.objects.create(
        project=city.project,
        kind="suspension",
        reason="r",
        effective_from="2026-12-01",
        submitted_by=city.users["contractor"],
        submitted_at="2026-11-25T08:00:00+08:00",
    )
    return city


def count(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.json()["count"] if isinstance(response.json(), dict) else len(response.json())


EXPECTED_COUNTS = {
    #                     projects enterprises engagements(hs) devices status-requests
    "city": (2, 7, 3, 2, 1),
    "haishu": (1, 5, 3, 1, 1),
    "jiangbei": (1, 2, None, 1, 0),
    "contractor": (1, 5, 3, 1, 1),
    "subcontractor": (1, 5, 1, 1, 1),
    "supervisor": (1, 5, 1, 1, 1),
    "vendor": (1, 5, 0, 1, 0),
    "other_contractor": (1, 2, None, 1, 0),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_only_its_jurisdiction(world, role):
    client = world.client(role)
    projects, enterprises, engagements, devices, requests = EXPECTED_COUNTS[role]
    assert count(client, "/api/v1/projects/") == projects
    assert count(client, "/api/v1/enterprises/") == enterprises
    engagement_url = f"/api/v1/projects/{world.project.permit_no}/engagements/"
    if engagements is None:
        assert client.get(engagement_url).status_code == 404
        assert client.get(f"/api/v1/projects/{world.project.permit_no}/").status_code == 404
    else:
        assert count(client, engagement_url) == engagements
        assert client.get(f"/api/v1/projects/{world.project.permit_no}/").status_code == 200
    assert count(client, "/api/v1/devices/") == devices
    assert count(client, "/api/v1/status-requests/") == requests


ADMIN_LISTS = [
    "projects/project",
    "projects/enterprise",
    "projects/engagement",
    "projects/person",
    "projects/statusrequest",
    "devices/device",
]
EXPECTED_ADMIN = {
    "city": (2, 7, 3, 3, 1, 2),
    "haishu": (1, 5, 3, 3, 1, 1),
    "jiangbei": (1, 2, 0, 0, 0, 1),
    "contractor": (1, 5, 3, 3, 1, 1),
    "subcontractor": (1, 5, 1, 1, 1, 1),
    "supervisor": (1, 5, 1, 1, 1, 1),
    "vendor": (1, 5, None, None, None, 1),  # None: no page at all (it reaches no row of them)
    "other_contractor": (1, 2, 0, 0, 0, 1),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_jurisdiction_in_the_admin(world, client, role):
    client.force_login(world.users[role])
    for path, expected in zip(ADMIN_LISTS, EXPECTED_ADMIN[role], strict=True):
        response = client.get(f"/admin/{path}/")
        if expected is None:
            assert response.status_code == 403, (role, path)
            continue
        assert response.status_code == 200, path
        assert response.context["cl"].result_count == expected, (role, path)


@pytest.mark.parametrize("role", ["haishu", "contractor", "vendor"])
def test_only_the_city_may_change_records_in_the_admin(world, client, role):
    client.force_login(world.users[role])
    response = client.post(f"/admin/projects/project/{world.project.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    world.project.refresh_from_db()
    assert world.project.name != "改名"


def test_the_audit_log_is_the_citys_alone(world, client):
    client.force_login(world.users["haishu"])
    assert client.get("/admin/common/auditevent/").status_code == 403
    client.force_login(world.users["city"])
    assert client.get("/admin/common/auditevent/").status_code == 200


def device_body(world, serial, vendor):
    return {
        "serial": serial,
        "vendor": vendor.uscc,
        "model": "FaceGate-3",
        "kind": "gate",
        "connection": "direct",
        "location": "entrance",
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("city", 201),
        ("contractor", 201),
        ("vendor", 201),
        ("subcontractor", 403),
        ("supervisor", 403),
        ("haishu", 403),
        ("jiangbei", 404),
        ("other_contractor", 404),
    ],
)
def test_who_may_register_a_device_on_haishus_project(world, role, status):
    url = f"/api/v1/projects/{world.project.permit_no}/devices/"
    response = world.client(role).post(url, device_body(world, f"NEW-{role}", world.vendor), format="json")
    assert response.status_code == status
    assert Device.objects.filter(serial=f"NEW-{role}").exists() == (status == 201)


@pytest.mark.parametrize(("role", "status"), [("subcontractor", 403), ("other_contractor", 404), ("jiangbei", 404)])
def test_nobody_engages_another_firms_staff_or_outside_their_jurisdiction(world, role, status):
    url = f"/api/v1/projects/{world.project.permit_no}/engagements/"
    body = {
        "id_number": id_number(),
        "name": "赵六",
        "employer": world.supervisor.uscc,
        "category": "worker",
        "entered_on": "2026-11-01",
    }
    assert world.client(role).post(url, body, format="json").status_code == status


def test_an_anonymous_caller_reads_nothing(world, api_client):
    for url in ["/api/v1/projects/", "/api/v1/devices/", "/api/v1/enterprises/", "/api/v1/status-requests/"]:
        assert api_client.get(url).status_code == 401
