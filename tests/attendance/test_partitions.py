"""Monthly punch partitions: created ahead, the default partition watched, late rows moved out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from attendance.partitions import existing_partitions, punch_default_partition_check, punch_partitions_ensure
from attendance.tasks import check_default_partition_task, ensure_punch_partitions_task
from smz_platform.common.models import OperationalAlert
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db


def partition_of(record_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM attendance_punch WHERE record_id = %s", [record_id])
        return cursor.fetchone()[0]


def old_punch(gate, city, record_id="OLD-1", at="2023-05-10T08:00:00+08:00"):
    number = id_number("341221", "19800315", 417)
    engage(city.project, city.subcontractor, who=person(number, "陈大勇"), entered_on=dt.date(2023, 1, 1))
    body = {"record_id": record_id, "id_number": number, "punched_at": at, "direction": "in", "method": "face"}
    assert gate.punches([body]).json()["accepted"] == 1


def test_the_task_creates_this_month_and_three_ahead():
    with time_machine.travel(dt.datetime(2028, 11, 15, tzinfo=dt.UTC), tick=False):
        created = ensure_punch_partitions_task.delay().get()
    assert created == [f"attendance_punch_y{month}" for month in ("2028m11", "2028m12", "2029m01", "2029m02")]
    with time_machine.travel(dt.datetime(2028, 11, 16, tzinfo=dt.UTC), tick=False):
        assert ensure_punch_partitions_task.delay().get() == []  # idempotent


def test_a_punch_outside_every_partition_lands_in_the_default_one_and_raises_an_alert(gate, city):
    old_punch(gate, city)
    assert partition_of("OLD-1") == "attendance_punch_default"
    assert check_default_partition_task.delay().get() == 1
    alert = OperationalAlert.objects.get(key="punch-default-partition")
    assert alert.resolved_at is None and "2023-05" in alert.message


def test_creating_the_missing_partition_moves_the_rows_and_resolves_the_alert(gate, city):
    old_punch(gate, city)
    punch_default_partition_check()
    assert punch_partitions_ensure(start=dt.date(2023, 5, 1), months=1) == ["attendance_punch_y2023m05"]
    assert partition_of("OLD-1") == "attendance_punch_y2023m05"
    assert punch_default_partition_check() == 0
    assert OperationalAlert.objects.get(key="punch-default-partition").resolved_at is not None


def test_the_command_creates_partitions_and_reports_the_default(gate, city, capsys):
    old_punch(gate, city)
    call_command("punch_partitions", "--from", "2023-04", "--months", "2")
    out = capsys.readouterr().out
    assert "attendance_punch_y2023m04" in out and "attendance_punch_y2023m05" in out
    assert "default partition: 0" in out
    assert {"attendance_punch_y2023m04", "attendance_punch_y2023m05"} <= existing_partitions()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2023-13"], "not a month"),
        (["--from", "x"], "not a month"),
        (["--from", "2023-01", "--months", "0"], "between 1 and 120"),
    ],
)
def test_the_command_refuses_bad_input(args, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("punch_partitions", *args)
