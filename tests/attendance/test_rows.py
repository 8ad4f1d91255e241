"""The stored punch's one home (attendance/rows.py) agrees with the table the model makes: a column added
to the model and not to StoredPunch (or the other way round) fails here, before the intake does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from attendance.rows import COLUMNS, punch_row, sql_types

# information_schema's names of the types StoredPunch declares (a varchar is text to the statements).
SAME = {"character varying": "text", "timestamp with time zone": "timestamptz"}


@pytest.mark.django_db
def test_the_named_punch_has_every_column_of_the_table_with_its_type():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'attendance_punch' AND column_name <> 'id'"
        )
        table = {name: SAME.get(kind, kind) for name, kind in cursor.fetchall()}
    assert table == dict(zip(COLUMNS, sql_types(), strict=True))


def test_the_flags_are_derived_once():
    at = dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    common = {
        "device_id": 1,
        "project_id": 2,
        "record_id": "R1",
        "id_number_digest": "d",
        "id_number_masked": "m",
        "punched_at": at,
        "direction": "in",
        "match_score": 0.9,
    }
    ordinary = punch_row(
        **common, person_id=3, engaged=True, received_at=at + dt.timedelta(seconds=5), method="face", liveness=True
    )
    assert (ordinary.valid, ordinary.flag_unregistered, ordinary.flag_mobile) == (True, False, False)
    assert (ordinary.flag_no_liveness, ordinary.flag_late) == (False, False)
    # A phone punch with liveness failed, of someone not engaged that day, received two hours late.
    odd = punch_row(
        **common, person_id=3, engaged=False, received_at=at + dt.timedelta(hours=2), method="mobile", liveness=False
    )
    assert (odd.valid, odd.flag_unregistered, odd.flag_mobile, odd.flag_no_liveness, odd.flag_late) == (
        False,
        True,
        True,
        True,
        True,
    )
    unknown = punch_row(
        **common, person_id=None, engaged=True, received_at=at + dt.timedelta(minutes=59), method="face", liveness=None
    )
    assert (unknown.valid, unknown.flag_unregistered, unknown.flag_no_liveness, unknown.flag_late) == (
        True,
        True,
        True,
        False,
    )
