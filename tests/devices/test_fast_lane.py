"""The device fast lane and the DRF views answer alike (the views document the API and are the fallback)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db

WITHOUT_LANE = [m for m in settings.MIDDLEWARE if not m.endswith("DeviceFastLaneMiddleware")]
BAD = {
    "record_id": "X-1",
    "id_number": "110105194912310021",
    "punched_at": "2026-11-25T07:00:00+08:00",
    "direction": "in",
    "method": "face",
}


def exchange(gate):
    return [
        (r.status_code, r.json())
        for r in (gate.punches([BAD]), gate.post("/api/device/v1/punches", b"{}"), gate.heartbeat(serial="NOPE"))
    ]


def test_both_paths_give_the_same_answers(gate):
    with_lane = exchange(gate)
    with override_settings(MIDDLEWARE=WITHOUT_LANE):
        without_lane = exchange(gate)
    assert with_lane == without_lane
    assert with_lane[0][1]["results"][0]["error"] == {"code": "invalid_id_number", "message": "校验码不符"}


def test_the_lane_answers_in_chinese_whatever_the_thread_served_before(gate):
    translation.activate("en")
    try:
        result = gate.punches([BAD]).json()["results"][0]
    finally:
        translation.deactivate()
    assert result["error"]["message"] == "校验码不符"


def test_a_get_on_a_device_path_is_refused_cleanly(client):
    response = client.get("/api/device/v1/punches")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
