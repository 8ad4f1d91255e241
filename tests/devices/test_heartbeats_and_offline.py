"""Heartbeats, the flips history (online state and liveness setting), and offline detection."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from devices.models import Device, DeviceFlip
from devices.services import devices_sweep_offline
from devices.tasks import sweep_offline_devices_task

T0 = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


def flips(serial):
    return list(
        DeviceFlip.objects.filter(device__serial=serial).order_by("at", "id").values_list("field", "value", "at")
    )


@pytest.mark.django_db
def test_heartbeats_keep_only_the_changes(gate):
    with time_machine.travel(T0, tick=False):
        gate.heartbeat(liveness_enabled=True)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        gate.heartbeat(liveness_enabled=True)  # nothing changed: no flip
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        gate.post("/api/device/v1/heartbeat", {"liveness_enabled": False, "firmware": "2.4.1"})
    assert flips(gate.serial) == [
        ("online", True, T0),
        ("liveness", True, T0),
        ("liveness", False, T0 + dt.timedelta(minutes=10)),
    ]
    device = Device.objects.get(serial=gate.serial)
    assert (device.online, device.liveness_enabled, device.firmware) == (True, False, "2.4.1")
    assert device.last_heartbeat_at == T0 + dt.timedelta(minutes=10)
    assert device.offline_after == T0 + dt.timedelta(minutes=40)


@pytest.mark.django_db
def test_a_device_past_its_deadline_goes_offline_once_dated_at_its_last_contact(gate):
    with time_machine.travel(T0, tick=False):
        gate.heartbeat()
    assert devices_sweep_offline(now=T0 + dt.timedelta(minutes=29)) == 0
    assert devices_sweep_offline(now=T0 + dt.timedelta(minutes=31)) == 1
    assert devices_sweep_offline(now=T0 + dt.timedelta(minutes=32)) == 0
    assert flips(gate.serial)[-1] == ("online", False, T0)
    assert not Device.objects.get(serial=gate.serial).online
    with time_machine.travel(T0 + dt.timedelta(hours=30), tick=False):
        gate.heartbeat()
    assert flips(gate.serial)[-1] == ("online", True, T0 + dt.timedelta(hours=30))


@pytest.mark.django_db
def test_the_sweep_task_marks_overdue_devices(gate):
    with time_machine.travel(T0, tick=False):
        gate.heartbeat()
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert sweep_offline_devices_task.delay().get() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_sweepers_flip_each_device_exactly_once(city):
    devices = [
        Device(
            serial=f"SW-{n:02d}",
            vendor=city.vendor,
            project=city.project,
            kind="gate",
            connection="direct",
            location="entrance",
            secret_encrypted="x",
            online=True,
            last_contact_at=T0,
            offline_after=T0 + dt.timedelta(minutes=30),
        )
        for n in range(40)
    ]
    Device.objects.bulk_create(devices)
    barrier, counts = threading.Barrier(2), []

    def sweeper():
        try:
            barrier.wait()
            counts.append(devices_sweep_offline(now=T0 + dt.timedelta(hours=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 40
    assert DeviceFlip.objects.filter(field="online", value=False).count() == 40
    assert not Device.objects.filter(online=True).exists()


def test_the_sweeps_are_in_the_beat_schedule():
    from celery.schedules import crontab
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-offline-devices"]["task"] == "devices.tasks.sweep_offline_devices_task"
    assert schedule["sweep-offline-devices"]["schedule"] == crontab(minute="*")
    assert schedule["purge-device-nonces"]["schedule"] == crontab(minute="*/10")
    assert schedule["ensure-punch-partitions"]["schedule"] == crontab(hour=2, minute=20)
    assert schedule["check-default-partition"]["schedule"] == crontab(minute=5)
