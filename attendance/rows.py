"""A punch as stored (打卡记录): one named type with its columns and their types, and the one function
that derives the flags the rules look for.

The intake (attendance.services), the storage's statements (attendance.storage: the COPY, the prepared
single-punch statement, the ORM's path), the demo city and the benchmarks build their rows here, so a
new column of the punch is added in this file, the model and its migration (README "Where to change
what"). Plain Python (no settings, no database) on purpose: the benchmarks build millions of rows with it
outside Django.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, NamedTuple

from attendance.choices import Method

# A punch received more than this after it was made is marked for rule R13, which judges it against the
# policy's own limit (r13_late_hours, at least this): a small partial index instead of a scan.
LATE_CANDIDATE = dt.timedelta(hours=1)


class StoredPunch(NamedTuple):
    """One row of attendance_punch, in the order of the storage's statements."""

    device_id: int
    project_id: int
    person_id: int | None  # None: the number is of no one registered (unregistered, R05)
    record_id: str
    id_number_digest: str
    id_number_masked: str
    id_number_encrypted: str  # only for a number of no one registered; a person's is on the person
    punched_at: dt.datetime
    received_at: dt.datetime
    direction: str
    method: str
    liveness: bool | None
    match_score: float | None
    photo_sha256: str
    photo_stored: bool
    lat: float | None
    lon: float | None
    valid: bool
    flag_unregistered: bool
    flag_mobile: bool
    flag_no_liveness: bool
    flag_late: bool


COLUMNS: tuple[str, ...] = StoredPunch._fields

_SQL_TYPES = {int: "bigint", str: "text", bool: "boolean", float: "double precision", dt.datetime: "timestamptz"}


def _sql_type(hint: Any) -> str:
    if isinstance(hint, types.UnionType):  # `X | None`
        (hint,) = [member for member in typing.get_args(hint) if member is not type(None)]
    return _SQL_TYPES[hint]


def sql_types() -> tuple[str, ...]:
    """The PostgreSQL type of each column, in COLUMNS' order (the prepared statement's parameters)."""
    hints = typing.get_type_hints(StoredPunch, globalns={"dt": dt})
    return tuple(_sql_type(hints[name]) for name in COLUMNS)


def punch_row(
    *,
    device_id: int,
    project_id: int,
    person_id: int | None,
    engaged: bool,
    record_id: str,
    id_number_digest: str,
    id_number_masked: str,
    id_number_encrypted: str = "",
    punched_at: dt.datetime,
    received_at: dt.datetime,
    direction: str,
    method: str,
    liveness: bool | None,
    match_score: float | None,
    photo_sha256: str = "",
    photo_stored: bool = False,
    lat: float | None = None,
    lon: float | None = None,
) -> StoredPunch:
    """A punch with its flags: valid unless liveness was checked and failed; unregistered when the number
    is of no one engaged on the project that day (R05); mobile (R08); no liveness check (R06); received
    late enough for R13 to look at it."""
    return StoredPunch(
        device_id=device_id,
        project_id=project_id,
        person_id=person_id,
        record_id=record_id,
        id_number_digest=id_number_digest,
        id_number_masked=id_number_masked,
        id_number_encrypted=id_number_encrypted,
        punched_at=punched_at,
        received_at=received_at,
        direction=direction,
        method=method,
        liveness=liveness,
        match_score=match_score,
        photo_sha256=photo_sha256,
        photo_stored=photo_stored,
        lat=lat,
        lon=lon,
        valid=liveness is not False,
        flag_unregistered=person_id is None or not engaged,
        flag_mobile=method == Method.MOBILE,
        flag_no_liveness=liveness is not True,
        flag_late=received_at - punched_at > LATE_CANDIDATE,
    )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: object) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return repr(value) if isinstance(value, float) else str(value)


def copy_line(row: tuple[object, ...]) -> str:
    """A row as one line of COPY's text format."""
    return "\t".join(map(copy_value, row)) + "\n"
