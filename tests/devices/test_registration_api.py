"""Device registration (integration API): the secret once, encrypted at rest; the device reads."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.db import connection

from devices.models import Device
from projects.models import ProjectParticipant
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def body(city, **overrides):
    data = {
        "serial": "ZA-FG3-0001",
        "vendor": city.vendor.uscc,
        "model": "FaceGate-3",
        "kind": "gate",
        "connection": "direct",
        "location": "entrance",
        "lat": 29.8683,
        "lon": 121.544,
        "fence_m": 300,
    }
    data.update(overrides)
    return data


def url(city):
    return f"/api/v1/projects/{city.project.permit_no}/devices/"


def test_registration_answers_the_serial_and_a_secret_that_signs(city):
    response = city.client("contractor").post(url(city), body(city), format="json")
    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == {"serial", "secret"} and answer["serial"] == "ZA-FG3-0001"
    assert len(answer["secret"]) >= 32
    device = Device.objects.get(serial="ZA-FG3-0001")
    # The stored secret verifies what the device signs with the secret it was given.
    message = (
        b"POST\n/api/device/v1/heartbeat\n1764000000\nnonce-0123456789ab\n" + hashlib.sha256(b"").hexdigest().encode()
    )
    expected = hmac.new(answer["secret"].encode(), message, hashlib.sha256).hexdigest()
    assert hmac.new(device.secret(), message, hashlib.sha256).hexdigest() == expected


def test_the_secret_is_never_stored_or_shown_in_clear(city):
    secret = city.client("contractor").post(url(city), body(city), format="json").json()["secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM devices_device")
        (stored,) = cursor.fetchone()
    assert secret not in stored
    listed = city.client("contractor").get("/api/v1/devices/").content.decode()
    assert secret not in listed and "secret" not in listed


def test_the_vendor_joins_the_project_as_a_participant(city):
    new_vendor = EnterpriseFactory(name="宁波新视界科技有限公司", is_contractor=False, is_vendor=True)
    response = city.client("contractor").post(url(city), body(city, vendor=new_vendor.uscc), format="json")
    assert response.status_code == 201
    assert ProjectParticipant.objects.filter(project=city.project, enterprise=new_vendor, role="vendor").exists()


def test_a_duplicate_serial_is_a_conflict_and_the_first_device_is_untouched(city):
    first = city.client("contractor").post(url(city), body(city), format="json")
    again = city.client("contractor").post(url(city), body(city, model="Other"), format="json")
    assert again.status_code == 409
    assert "serial" in again.json()
    assert Device.objects.get(serial="ZA-FG3-0001").model == "FaceGate-3"
    assert first.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"vendor": "SUPERVISOR"}, "vendor"),
        ({"vendor": "91330200MA0000000X"}, "vendor"),
        ({"kind": "camera"}, "kind"),
        ({"connection": "bluetooth"}, "connection"),
        ({"location": "roof"}, "location"),
        ({"lat": 95}, "lat"),
        ({"lon": None}, "lat"),
        ({"fence_m": 0}, "fence_m"),
        ({"serial": "has space"}, "serial"),
        ({"serial": ""}, "serial"),
        ({"kind": "mobile", "fence_m": None}, "fence_m"),
    ],
)
def test_bad_registrations_are_refused_naming_the_field(city, overrides, field):
    if overrides.get("vendor") == "SUPERVISOR":
        overrides["vendor"] = city.supervisor.uscc
    response = city.client("contractor").post(url(city), body(city, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Device.objects.exists()


def test_devices_are_filtered_by_project_and_online_state(city):
    client = city.client("city")
    client.post(url(city), body(city), format="json")
    client.post(url(city), body(city, serial="ZA-FG3-0002"), format="json")
    Device.objects.filter(serial="ZA-FG3-0002").update(online=True)
    assert client.get(f"/api/v1/devices/?project={city.project.permit_no}").json()["count"] == 2
    online = client.get("/api/v1/devices/?online=true").json()["results"]
    assert [d["serial"] for d in online] == ["ZA-FG3-0002"]
    assert set(online[0]) >= {"last_heartbeat_at", "last_punch_at", "liveness_enabled", "online"}
    assert client.get(f"/api/v1/devices/?project={city.other_project.permit_no}").json()["count"] == 0


def test_the_device_list_costs_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    client = city.client("city")
    for n in range(4):
        client.post(url(city), body(city, serial=f"S-{n}"), format="json")
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/devices/").json()["count"] == 4
