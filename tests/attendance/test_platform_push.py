"""平台对接 (issue 29, inbound): a vendor's platform pushes many of its devices' punches in one signed request, each
device's batch stored and answered as that device's own request would be. It speaks only for its own devices
registered for platform connection; a replay, a forged signature or a disabled platform stores nothing."""

from __future__ import annotations

import json
import secrets
import time

import pytest
from django.test import Client

from attendance.models import Punch
from devices.models import VendorPlatform
from devices.services import device_register, vendor_platform_register
from devices.signing import sign
from tests.factories import EnterpriseFactory, engage, id_number, person

pytestmark = pytest.mark.django_db

PATH = "/api/device/v1/platform/punches"
WORKER = id_number(seq=301)


def register(city, serial, *, vendor=None, connection="platform", project=None):
    return device_register(
        user=city.users["city"],
        project=project or city.project,
        serial=serial,
        vendor=vendor or city.vendor,
        model="m",
        kind="gate",
        connection=connection,
        location="entrance",
    )


def push(platform_key, secret, body, *, nonce=None, timestamp=None, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(16)
    headers = {
        "X-Platform-Key": platform_key,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": signature or sign(secret.encode(), "POST", PATH, ts, nonce, raw),
    }
    return Client().post(PATH, raw, content_type="application/json", headers=headers)


def punch(record_id, number=WORKER, **extra):
    return {
        "record_id": record_id,
        "id_number": number,
        "punched_at": "2026-11-25T07:58:12+08:00",
        "direction": "in",
        "method": "face",
        "liveness": True,
        "match_score": 0.93,
        **extra,
    }


@pytest.fixture
def platform(city):
    engage(city.project, city.subcontractor, who=person(WORKER, "张平台"))
    register(city, "VP-GATE-1")
    register(city, "VP-GATE-2", project=city.other_project)
    registered = vendor_platform_register(user=city.users["city"], vendor=city.vendor)
    return registered.platform.key, registered.secret


def test_a_platform_pushes_many_devices_and_each_is_answered_as_its_own_request(city, platform, time_machine):
    time_machine.move_to("2026-11-25T08:00:00+08:00", tick=False)
    key, secret = platform
    answer = push(
        key,
        secret,
        {
            "devices": [
                {"serial": "VP-GATE-1", "punches": [punch("A-1"), punch("A-2", number="330203199001011230")]},
                {"serial": "VP-GATE-2", "punches": [punch("B-1", number=id_number(seq=302))]},
            ]
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 1)
    first, second = body["devices"]
    assert first["serial"] == "VP-GATE-1" and [r["status"] for r in first["results"]] == ["accepted", "rejected"]
    assert first["results"][1]["error"]["code"] == "invalid_id_number"
    assert second == {
        "serial": "VP-GATE-2",
        "accepted": 1,
        "duplicates": 0,
        "rejected": 0,
        "results": [{"record_id": "B-1", "status": "accepted"}],
    }
    # Same storage, same checks: the engaged worker's punch counts for him; the stranger's is flagged (R05).
    stored = {p.record_id: p for p in Punch.objects.all()}
    assert set(stored) == {"A-1", "B-1"}
    assert stored["A-1"].person.name == "张平台" and not stored["A-1"].flag_unregistered
    assert stored["B-1"].flag_unregistered and stored["B-1"].project_id == city.other_project.pk
    # Sent again (the platform did not hear the answer): nothing changes, every record a duplicate.
    again = push(key, secret, {"devices": [{"serial": "VP-GATE-1", "punches": [punch("A-1")]}]})
    assert again.json()["devices"][0]["results"] == [{"record_id": "A-1", "status": "duplicate"}]
    assert Punch.objects.count() == 2


def test_a_platform_speaks_only_for_its_own_devices_registered_for_platform_connection(city, platform, time_machine):
    time_machine.move_to("2026-11-25T08:00:00+08:00", tick=False)
    key, secret = platform
    rival = EnterpriseFactory(name="宁波别家科技有限公司", is_contractor=False, is_vendor=True)
    register(city, "RIVAL-1", vendor=rival)
    register(city, "DIRECT-1", connection="direct")
    answer = push(
        key,
        secret,
        {
            "devices": [
                {"serial": "RIVAL-1", "punches": [punch("R-1")]},
                {"serial": "NO-SUCH", "punches": [punch("N-1")]},
                {"serial": "DIRECT-1", "punches": [punch("D-1")]},
                {"serial": "VP-GATE-1", "punches": []},
                {"punches": [punch("X-1")]},
                {"serial": "VP-GATE-1", "punches": [punch("OK-1")]},
            ]
        },
    )
    assert answer.status_code == 200
    errors = [d.get("error", {}).get("code") for d in answer.json()["devices"]]
    # Another vendor's device is answered like one that does not exist: its serial is not confirmed.
    assert errors == ["unknown_device", "unknown_device", "direct_device", "invalid_batch", "missing_field", None]
    assert list(Punch.objects.values_list("record_id", flat=True)) == ["OK-1"]


def test_a_forged_replayed_or_disabled_push_stores_nothing(city, platform, time_machine):
    time_machine.move_to("2026-11-25T08:00:00+08:00", tick=False)
    key, secret = platform
    body = {"devices": [{"serial": "VP-GATE-1", "punches": [punch("F-1")]}]}
    forged = push(key, "not-the-secret", body)
    assert (forged.status_code, forged.json()["code"]) == (401, "bad_signature")
    stale = push(key, secret, body, timestamp=int(time.time()) - 900)
    assert (stale.status_code, stale.json()["code"]) == (401, "stale_timestamp")
    unknown = push("VP-nobody", secret, body)
    assert (unknown.status_code, unknown.json()["code"]) == (401, "unknown_platform")
    bare = Client().post(PATH, b"{}", content_type="application/json")
    assert (bare.status_code, bare.json()["code"]) == (401, "missing_credentials")
    assert not Punch.objects.exists()
    nonce = secrets.token_urlsafe(16)
    assert push(key, secret, body, nonce=nonce).status_code == 200
    replay = push(key, secret, {"devices": [{"serial": "VP-GATE-1", "punches": [punch("F-2")]}]}, nonce=nonce)
    assert (replay.status_code, replay.json()["code"]) == (401, "replayed_nonce")
    for malformed in (b"not json", {"devices": []}, {"devices": "VP-GATE-1"}, {"devices": [{}] * 101}):
        refused = push(key, secret, malformed)
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_batch"), malformed
    VendorPlatform.objects.filter(key=key).update(state="disabled")
    disabled = push(key, secret, {"devices": [{"serial": "VP-GATE-1", "punches": [punch("F-3")]}]})
    assert (disabled.status_code, disabled.json()["code"]) == (403, "platform_disabled")
    assert list(Punch.objects.values_list("record_id", flat=True)) == ["F-1"]


def test_the_city_registers_a_platform_in_the_admin_and_sees_its_secret_once(city):
    staff = Client()
    staff.force_login(city.users["city"])
    page = staff.post("/admin/devices/vendorplatform/add/", {"vendor": city.vendor.pk, "state": "active"}, follow=True)
    assert page.status_code == 200
    platform = VendorPlatform.objects.get(vendor=city.vendor)
    text = page.content.decode()
    assert platform.key in text and "不再显示" in text
    assert "不再显示" not in staff.get(f"/admin/devices/vendorplatform/{platform.pk}/change/").content.decode()
    # A vendor cannot register one (the city gives it the key and secret).
    vendor = Client()
    vendor.force_login(city.users["vendor"])
    assert vendor.post("/admin/devices/vendorplatform/add/", {"vendor": city.vendor.pk}).status_code == 403
    assert VendorPlatform.objects.count() == 1
