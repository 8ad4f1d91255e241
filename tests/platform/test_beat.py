"""Each scheduled job runs once per slot of the schedule, however many beats send it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from celery.beat import ScheduleEntry
from django.conf import settings

from smz_platform.celery import app
from smz_platform.common.beat import OncePerSlot, SlotScheduler
from smz_platform.common.models import ScheduledRun

pytestmark = pytest.mark.django_db
app.loader.import_default_modules()  # as a worker does at start: every task module registered


def test_every_scheduled_task_runs_once_per_slot_and_the_beat_marks_the_slots():
    assert settings.CELERY_BEAT_SCHEDULER == "smz_platform.common.beat:SlotScheduler"
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert isinstance(app.tasks[entry["task"]], OncePerSlot), name


def test_two_beats_sending_the_same_minute_run_the_job_once(tmp_path):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-device-nonces"]
    beats = [SlotScheduler(app=app, schedule_filename=str(tmp_path / f"beat-{n}"), lazy=True) for n in (1, 2)]
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 20, 5, tzinfo=dt.UTC), tick=False):
        for beat in beats:  # both beats find the job due at 10:20 and send it
            beat.apply_async(
                ScheduleEntry(name="purge-device-nonces", task=entry["task"], schedule=entry["schedule"], app=app),
                advance=False,
            )
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 30, 2, tzinfo=dt.UTC), tick=False):
        beats[1].apply_async(
            ScheduleEntry(name="purge-device-nonces", task=entry["task"], schedule=entry["schedule"], app=app),
            advance=False,
        )
    slots = sorted(ScheduledRun.objects.filter(job=entry["task"]).values_list("slot", flat=True))
    assert slots == [dt.datetime(2026, 11, 25, 10, 20, tzinfo=dt.UTC), dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)]


def test_a_task_called_by_hand_just_runs():
    from devices.tasks import purge_device_nonces_task

    assert purge_device_nonces_task.delay().get() == 0
    assert purge_device_nonces_task.delay().get() == 0
    assert not ScheduledRun.objects.exists()
