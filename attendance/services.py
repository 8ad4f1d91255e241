"""Punch intake: a device's batch stored in one transaction, with presence kept up to date.

Set-based. On PostgreSQL the batch is COPied into a session staging table and one statement inserts
the idempotency keys (ON CONFLICT DO NOTHING RETURNING), the punches whose key was new, and folds them
into daily presence (an upsert). Elsewhere, one multi-row statement each. The answer is built only
after the commit, so an `accepted` is durable.
"""

from __future__ import annotations

import datetime as dt
import io
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection, transaction

from attendance.choices import Method
from attendance.intake import SHANGHAI, PunchRecord, Rejection, parse_punch
from attendance.photos import photo_store
from devices.gateway import DeviceIdentity
from devices.services import device_contact_record
from smz_platform.common import pii
from smz_platform.common.rawsql import as_date

PUNCH_COLUMNS = (
    "device_id", "project_id", "person_id", "record_id", "id_number_digest", "id_number_masked",
    "id_number_encrypted", "punched_at", "received_at", "direction", "method", "liveness", "match_score",
    "photo_sha256", "photo_stored", "lat", "lon", "valid", "flag_unregistered", "flag_mobile", "flag_no_liveness",
    "flag_low_score", "flag_late",
)  # fmt: skip
PRESENCE_COLUMNS = (
    "person_id", "project_id", "day", "first_at", "last_at", "punch_count", "valid_count", "first_valid_at",
    "last_valid_at", "photo_count",
)  # fmt: skip


@dataclass
class IngestResult:
    results: list[dict] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0

    def as_answer(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected,
                "results": self.results}  # fmt: skip


def _values(rows: list[tuple], width: int) -> str:
    row = "(" + ",".join(["%s"] * width) + ")"
    return ",".join([row] * len(rows))


def _flatten(rows: list[tuple]) -> list:
    return [value for row in rows for value in row]


# A device's contact and last-punch times are kept to within this: a busy gate does not rewrite its
# row on every punch (the offline threshold is 30 minutes; the dashboard shows minutes).
CONTACT_RESOLUTION = dt.timedelta(seconds=30)


def _contact_is_fresh(device: DeviceIdentity, received_at: dt.datetime, latest: dt.datetime | None) -> bool:
    if not device.online or device.last_contact_at is None:
        return False
    if received_at - device.last_contact_at > CONTACT_RESOLUTION:
        return False
    return latest is None or (device.last_punch_at is not None and latest - device.last_punch_at <= CONTACT_RESOLUTION)


def _store(device: DeviceIdentity, rows: list[tuple], received_at: dt.datetime, latest) -> set[str]:
    """Store the rows; record the contact unless it is fresh. A small batch with a fresh contact on
    PostgreSQL is one statement, hence its own transaction; anything else runs in one transaction
    that first locks the device row (so every writer of a device takes its locks in the same order)."""
    inline = connection.vendor == "postgresql" and len(rows) <= INLINE_ROWS
    if rows and inline and _contact_is_fresh(device, received_at, latest):
        return _store_postgresql(rows)
    with transaction.atomic():
        device_contact_record(device_id=device.pk, at=received_at, last_punch_at=latest)
        if not rows:
            return set()
        return _store_postgresql(rows) if connection.vendor == "postgresql" else _store_portable(rows)


def _people_and_engagements(project_id: int, digests: set[str]) -> tuple[dict[str, int], dict[int, list]]:
    """In one statement: the person behind each digest, and their engagements on this project."""
    persons: dict[str, int] = {}
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    if not digests:
        return persons, spans
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id_number_digest, p.id, e.entered_on, e.exited_on FROM projects_person p "
            "LEFT JOIN projects_engagement e ON e.person_id = p.id AND e.project_id = %s "
            f"WHERE p.id_number_digest IN ({', '.join(['%s'] * len(digests))})",
            [project_id, *digests],
        )
        for digest, person_id, entered, exited in cursor.fetchall():
            persons[digest] = person_id
            if entered is not None:
                spans[person_id].append((as_date(entered), as_date(exited)))
    return persons, spans


def _is_engaged(spans: list[tuple[dt.date, dt.date | None]], day: dt.date) -> bool:
    return any(entered <= day and (exited is None or day <= exited) for entered, exited in spans)


def punch_batch_ingest(*, device: DeviceIdentity, punches: list, received_at: dt.datetime) -> IngestResult:
    """Validate each record, store the new ones, and answer per record in request order."""
    parsed = [parse_punch(raw, now=received_at) for raw in punches]
    outcome: list[dict | None] = [None] * len(parsed)
    records: dict[str, tuple[int, PunchRecord]] = {}
    for index, item in enumerate(parsed):
        if isinstance(item, Rejection):
            outcome[index] = {"record_id": item.record_id, "status": "rejected",
                              "error": {"code": item.code, "message": item.message}}  # fmt: skip
        elif item.record_id in records:
            outcome[index] = {"record_id": item.record_id, "status": "duplicate"}
        else:
            records[item.record_id] = (index, item)

    digests = {record_id: pii.lookup_digest(record.id_number) for record_id, (_i, record) in records.items()}
    persons, spans = _people_and_engagements(device.project_id, set(digests.values()))
    for _index, record in records.values():
        if record.photo is not None:
            photo_store(sha256=record.photo_sha256, content=record.photo)

    low_score = settings.SMZ_LOW_MATCH_SCORE
    late_after = dt.timedelta(hours=settings.SMZ_LATE_PUNCH_HOURS)
    latest = max((record.punched_at for _i, record in records.values()), default=None)
    rows = []
    for record_id in sorted(records):
        _index, record = records[record_id]
        person_id = persons.get(digests[record_id])
        rows.append((
            device.pk, device.project_id, person_id, record_id, digests[record_id],
            pii.mask_id_number(record.id_number), "" if person_id else pii.encrypt(record.id_number),
            record.punched_at, received_at, record.direction, record.method, record.liveness,
            record.match_score, record.photo_sha256, record.photo is not None, record.lat, record.lon,
            record.liveness is not False,
            person_id is None or not _is_engaged(spans.get(person_id, []), record.local_day),
            record.method == Method.MOBILE, record.liveness is not True,
            record.match_score is not None and record.match_score < low_score,
            received_at - record.punched_at > late_after,
        ))  # fmt: skip
    new_ids = _store(device, rows, received_at, latest)

    result = IngestResult()
    for record_id, (index, _record) in records.items():
        outcome[index] = {"record_id": record_id, "status": "accepted" if record_id in new_ids else "duplicate"}
    for item in outcome:
        status = item["status"]
        result.accepted += status == "accepted"
        result.duplicates += status == "duplicate"
        result.rejected += status == "rejected"
    result.results = outcome
    return result


# --- PostgreSQL: COPY into a session staging table, then one statement ----------------------------

STAGE = "attendance_punch_stage"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
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


# SQL types of PUNCH_COLUMNS, for a typed VALUES list.
PUNCH_TYPES = (
    "bigint", "bigint", "bigint", "text", "text", "text", "text", "timestamptz", "timestamptz", "text", "text",
    "boolean", "double precision", "text", "boolean", "double precision", "double precision", "boolean", "boolean",
    "boolean", "boolean", "boolean", "boolean",
)  # fmt: skip
# Up to this many punches a batch goes inline in the statement; above, through COPY (two more round trips).
INLINE_ROWS = 20


def _store_postgresql(rows: list[tuple]) -> set[str]:
    """In one statement: insert the idempotency keys, insert the punches whose key was new, fold those
    into daily presence (days in Asia/Shanghai), and answer the new record ids. Large batches are
    first COPied into a temporary table emptied at commit; small ones go inline as typed VALUES. Rows
    are taken in key order, so that concurrent batches lock index entries in the same order."""
    columns = ", ".join(PUNCH_COLUMNS)
    with connection.cursor() as cursor:
        if len(rows) > INLINE_ROWS:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM attendance_punch WITH NO DATA"
            )
            buffer = io.StringIO("".join("\t".join(map(_copy_value, row)) + "\n" for row in rows))
            cursor.copy_expert(f"COPY {STAGE} ({columns}) FROM STDIN", buffer)
            source, params = STAGE, []
        elif len(rows) == 1:
            # The single-punch request, the most frequent: planned once per connection.
            _execute_prepared(cursor, "smz_store_one_punch", _store_one_sql(), list(rows[0]))
            return {row[0] for row in cursor.fetchall()}
        else:
            typed = "(" + ", ".join(f"%s::{kind}" for kind in PUNCH_TYPES) + ")"
            source = f"(VALUES {', '.join([typed] * len(rows))}) AS batch ({columns})"
            params = _flatten(rows)
        cursor.execute(_STORE_SQL.format(source=source, columns=columns), params)
        return {row[0] for row in cursor.fetchall()}


# Statements prepared on each database connection, by name (a reconnect starts afresh).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    raw = connection.connection
    names = _prepared.setdefault(raw, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {sql}")
        names.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


@cache
def _store_one_sql() -> str:
    row = ", ".join(f"${n}::{kind}" for n, kind in enumerate(PUNCH_TYPES, start=1))
    columns = ", ".join(PUNCH_COLUMNS)
    return _STORE_SQL.format(source=f"(VALUES ({row})) AS batch ({columns})", columns=columns)


def _merged(fn: str, column: str) -> str:
    """NULL-safe LEAST/GREATEST of the stored and the incoming value."""
    table = "attendance_dailypresence"
    return f"{fn}(COALESCE({table}.{column}, EXCLUDED.{column}), COALESCE(EXCLUDED.{column}, {table}.{column}))"


_STORE_SQL = (
    "WITH stage AS (SELECT * FROM {source}), new_keys AS ("
    "  INSERT INTO attendance_punchkey (device_id, record_id) SELECT device_id, record_id FROM stage"
    "  ORDER BY record_id ON CONFLICT DO NOTHING RETURNING record_id"
    "), new_punches AS ("
    "  INSERT INTO attendance_punch ({columns}) SELECT {columns} FROM stage JOIN new_keys USING (record_id)"
    "  RETURNING person_id, project_id, punched_at, valid, photo_sha256"
    "), presence AS ("
    f"  INSERT INTO attendance_dailypresence ({', '.join(PRESENCE_COLUMNS)})"
    "  SELECT person_id, project_id, (punched_at AT TIME ZONE 'Asia/Shanghai')::date, min(punched_at),"
    "    max(punched_at), count(*), count(*) FILTER (WHERE valid), min(punched_at) FILTER (WHERE valid),"
    "    max(punched_at) FILTER (WHERE valid), count(*) FILTER (WHERE valid AND photo_sha256 <> '')"
    "  FROM new_punches WHERE person_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    "  ON CONFLICT (person_id, project_id, day) DO UPDATE SET"
    f"    first_at = {_merged('LEAST', 'first_at')}, last_at = {_merged('GREATEST', 'last_at')},"
    "    punch_count = attendance_dailypresence.punch_count + EXCLUDED.punch_count,"
    "    valid_count = attendance_dailypresence.valid_count + EXCLUDED.valid_count,"
    "    photo_count = attendance_dailypresence.photo_count + EXCLUDED.photo_count,"
    f"    first_valid_at = {_merged('LEAST', 'first_valid_at')}, last_valid_at = {_merged('GREATEST', 'last_valid_at')}"
    "  RETURNING 1"
    ") SELECT record_id FROM new_keys"
)  # {source} and {columns} are filled per call


# --- Other databases (the embedded SQLite default): multi-row statements ------------------------------


def _store_portable(rows: list[tuple]) -> set[str]:
    new_ids = _insert_keys(rows[0][0], [row[3] for row in rows])
    fresh = [row for row in rows if row[3] in new_ids]
    if fresh:
        _insert_punches(fresh)
        presence = defaultdict(list)
        for row in fresh:
            person_id, project_id, punched_at, valid, photo = row[2], row[1], row[7], row[17], row[13]
            if person_id is not None:
                day = punched_at.astimezone(SHANGHAI).date()
                presence[(person_id, project_id, day)].append((punched_at, valid, bool(photo)))
        _upsert_presence(presence)
    return new_ids


def _insert_keys(device_id: int, record_ids: list[str]) -> set[str]:
    """The idempotency keys that are new; a key already there (this batch retried) is a duplicate."""
    if not record_ids:
        return set()
    rows = [(device_id, record_id) for record_id in record_ids]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO attendance_punchkey (device_id, record_id) VALUES {_values(rows, 2)} "
            "ON CONFLICT DO NOTHING RETURNING record_id",
            _flatten(rows),
        )
        return {row[0] for row in cursor.fetchall()}


def _insert_punches(rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO attendance_punch ({', '.join(PUNCH_COLUMNS)}) VALUES {_values(rows, len(PUNCH_COLUMNS))}",
            _flatten(rows),
        )


def _upsert_presence(presence: dict[tuple[int, int, dt.date], list[tuple[dt.datetime, bool, bool]]]) -> None:
    """Fold the new punches into person × project × day, then merge with what is stored."""
    if not presence:
        return
    rows = []
    for (person_id, project_id, day), punches in sorted(presence.items()):
        times = [at for at, _valid, _photo in punches]
        valid_times = [at for at, valid, _photo in punches if valid]
        with_photo = sum(1 for _at, valid, photo in punches if valid and photo)
        rows.append((
            person_id, project_id, day, min(times), max(times), len(times), len(valid_times),
            min(valid_times) if valid_times else None, max(valid_times) if valid_times else None, with_photo,
        ))  # fmt: skip
    least, greatest = "MIN", "MAX"  # SQLite's scalar forms
    table = "attendance_dailypresence"

    def merged(fn: str, column: str) -> str:
        # NULL-safe on both backends: a side without a valid punch keeps the other side's value.
        return f"{fn}(COALESCE({table}.{column}, EXCLUDED.{column}), COALESCE(EXCLUDED.{column}, {table}.{column}))"

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(PRESENCE_COLUMNS)}) VALUES {_values(rows, len(PRESENCE_COLUMNS))} "
            "ON CONFLICT (person_id, project_id, day) DO UPDATE SET "
            f"first_at = {merged(least, 'first_at')}, last_at = {merged(greatest, 'last_at')}, "
            f"punch_count = {table}.punch_count + EXCLUDED.punch_count, "
            f"valid_count = {table}.valid_count + EXCLUDED.valid_count, "
            f"photo_count = {table}.photo_count + EXCLUDED.photo_count, "
            f"first_valid_at = {merged(least, 'first_valid_at')}, last_valid_at = {merged(greatest, 'last_valid_at')}",
            _flatten(rows),
        )
