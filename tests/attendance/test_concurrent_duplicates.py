"""Ten devices' worth of concurrency on one batch: each record is stored exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from attendance.models import DailyPresence, Punch, PunchKey
from tests.device_client import SignedDevice
from tests.factories import engage, id_number, person


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_pushes_of_the_same_batch_store_each_record_once(city, gate):
    number = id_number("341221", "19800315", 417)
    engage(city.project, city.subcontractor, who=person(number, "陈大勇"))
    batch = [
        {
            "record_id": f"C-{n}",
            "id_number": number,
            "punched_at": f"2026-11-25T07:{n:02d}:00+08:00",
            "direction": "in",
            "method": "face",
            "liveness": True,
        }
        for n in range(20)
    ]
    barrier, answers = threading.Barrier(10), []

    def push():
        try:
            device = SignedDevice(client=Client(), serial=gate.serial, secret=gate.secret)
            barrier.wait()
            answers.append(device.punches(batch).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 10
    assert sum(a["accepted"] for a in answers) == 20
    assert sum(a["duplicates"] for a in answers) == 180
    assert Punch.objects.count() == 20 and PunchKey.objects.count() == 20
    assert DailyPresence.objects.get().punch_count == 20
