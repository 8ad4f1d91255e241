"""Staff browse punches and presence in the admin, only within their jurisdiction, and cannot edit them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from attendance.models import Punch
from devices.models import Device
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def punched(city, gate):
    number = id_number("341221", "19800315", 417)
    engage(city.project, city.subcontractor, who=person(number, "陈大勇"), entered_on=dt.date(2026, 10, 1))
    with time_machine.travel(dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC), tick=False):
        gate.punches(
            [
                {
                    "record_id": "A-1",
                    "id_number": number,
                    "punched_at": "2026-11-25T07:58:00+08:00",
                    "direction": "in",
                    "method": "face",
                }
            ]
        )
    return number


@pytest.mark.parametrize(("role", "rows"), [("city", 1), ("haishu", 1), ("jiangbei", 0), ("contractor", 1)])
def test_punch_and_presence_lists_follow_the_jurisdiction(city, punched, client, role, rows):
    client.force_login(city.users[role])
    for path in ["/admin/attendance/punch/", "/admin/attendance/dailypresence/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == rows


def test_the_punch_page_shows_the_masked_number_only(city, punched, client):
    client.force_login(city.users["city"])
    page = client.get(f"/admin/attendance/punch/{Punch.objects.get().pk}/change/").content.decode()
    assert punched[:6] + "********" + punched[-4:] in page
    assert punched not in page


def test_nobody_edits_punches_in_the_admin(city, punched, client):
    client.force_login(city.users["city"])
    pk = Punch.objects.get().pk
    assert client.post(f"/admin/attendance/punch/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert Punch.objects.filter(pk=pk).exists()


def test_the_device_page_shows_its_history_and_never_its_secret(city, gate, client):
    gate.heartbeat(liveness_enabled=False)
    client.force_login(city.users["haishu"])
    device = Device.objects.get(serial=gate.serial)
    response = client.get(f"/admin/devices/device/{device.pk}/change/")
    page = response.content.decode()
    assert gate.secret not in page and device.secret_encrypted not in page
    # Its history: the flip online, and the liveness setting it reported (off).
    history = response.context["inline_admin_formsets"][0].formset.queryset
    assert sorted((flip.field, flip.value) for flip in history) == [("liveness", False), ("online", True)]
    assert "在线状态" in page
