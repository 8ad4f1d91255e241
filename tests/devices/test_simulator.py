"""The device simulator drives a running platform as a vendor would."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from attendance.models import Punch
from devices.models import Device
from projects.services.accounts import token_issue


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_registers_devices_and_workers_pushes_goes_offline_flushes_and_sends_broken_requests(city, live_server):
    token = token_issue(user=city.users["contractor"])
    out = io.StringIO()
    call_command(
        "simulate_devices",
        "--url",
        live_server.url,
        "--token",
        token,
        "--project",
        city.project.permit_no,
        "--devices",
        "2",
        "--workers",
        "5",
        "--rate",
        "20",
        "--duration",
        "3",
        "--batch",
        "2",
        "--offline-for",
        "1",
        "--broken",
        "8",
        stdout=out,
    )
    report = out.getvalue()
    assert Device.objects.filter(serial__startswith="SIM-").count() == 2
    stored = Punch.objects.filter(device__serial__startswith="SIM-").count()
    assert stored >= 20
    assert "flush accepted" in report  # the backlog of the offline second was sent afterwards
    for expected in [
        "bad_signature → 401 bad_signature",
        "stale_timestamp → 401 stale_timestamp",
        "replayed_nonce → 401 replayed_nonce",
        "unknown_device → 401 unknown_device",
        "missing_credentials → 401 missing_credentials",
        "bad_json → 400 invalid_batch",
        "empty_batch → 400 invalid_batch",
    ]:
        assert expected in report, report
    assert "HTTP 5" not in report


def test_it_explains_what_it_needs(db):
    with pytest.raises(CommandError, match="--token and --project"):
        call_command("simulate_devices", "--duration", "1")
    with pytest.raises(CommandError, match="--batch"):
        call_command("simulate_devices", "--batch", "501")
    with pytest.raises(CommandError, match="SERIAL:SECRET"):
        call_command("simulate_devices", "--device", "no-secret")
