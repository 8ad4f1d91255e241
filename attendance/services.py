"""Punch intake: a device's batch stored in one transaction, with presence kept up to date.

Set-based: one statement each for the idempotency keys (ON CONFLICT DO NOTHING RETURNING), the
punches (one multi-row INSERT) and the daily presence (one multi-row upsert). The answer is built
only after the commit, so an `accepted` is durable.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from attendance.choices import Method
from attendance.intake import PunchRecord, Rejection, parse_punch
from attendance.photos import photo_store
from devices.models import Device
from devices.services import device_contact_record
from projects.models import Engagement, Person
from smz_platform.common import pii

PUNCH_COLUMNS = (
    "device_id", "project_id", "person_id", "record_id", "id_number_digest", "id_number_masked",
    "id_number_encrypted", "punched_at", "received_at", "direction", "method", "liveness", "match_score",
    "photo_sha256", "photo_stored", "lat", "lon", "valid", "flag_unregistered", "flag_mobile", "flag_no_liveness",
    "flag_low_score", "flag_late",
)  # fmt: skip
PRESENCE_COLUMNS = (
    "person_id", "project_id", "day", "first_at", "last_at", "punch_count", "valid_count", "first_valid_at",
    "last_valid_at",
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


def _engaged_days(project_id: int, person_ids: set[int]) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = Engagement.objects.filter(project_id=project_id, person_id__in=person_ids).values_list(
        "person_id", "entered_on", "exited_on"
    )
    for person_id, entered, exited in rows:
        spans[person_id].append((entered, exited))
    return spans


def _is_engaged(spans: list[tuple[dt.date, dt.date | None]], day: dt.date) -> bool:
    return any(entered <= day and (exited is None or day <= exited) for entered, exited in spans)


def punch_batch_ingest(*, device: Device, punches: list, received_at: dt.datetime) -> IngestResult:
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
    persons = dict(
        Person.objects.filter(id_number_digest__in=set(digests.values())).values_list("id_number_digest", "id")
    )
    spans = _engaged_days(device.project_id, set(persons.values()))
    for _index, record in records.values():
        if record.photo is not None:
            photo_store(sha256=record.photo_sha256, content=record.photo)

    low_score = settings.SMZ_LOW_MATCH_SCORE
    late_after = dt.timedelta(hours=settings.SMZ_LATE_PUNCH_HOURS)
    with transaction.atomic():
        # Lock the device row first: every writer of this device takes its locks in the same order.
        device_contact_record(device=device, at=received_at)
        new_ids = _insert_keys(device.pk, sorted(records))
        rows, presence = [], defaultdict(list)
        for record_id in sorted(new_ids):
            _index, record = records[record_id]
            person_id = persons.get(digests[record_id])
            day = record.local_day
            valid = record.liveness is not False
            rows.append((
                device.pk, device.project_id, person_id, record_id, digests[record_id],
                pii.mask_id_number(record.id_number), "" if person_id else pii.encrypt(record.id_number),
                record.punched_at, received_at, record.direction, record.method, record.liveness,
                record.match_score, record.photo_sha256, record.photo is not None, record.lat, record.lon, valid,
                person_id is None or not _is_engaged(spans.get(person_id, []), day),
                record.method == Method.MOBILE, record.liveness is not True,
                record.match_score is not None and record.match_score < low_score,
                received_at - record.punched_at > late_after,
            ))  # fmt: skip
            if person_id is not None:
                presence[(person_id, device.project_id, day)].append((record.punched_at, valid))
        if rows:
            _insert_punches(rows)
            _upsert_presence(presence)
            latest = max(row[7] for row in rows)
            Device.objects.filter(pk=device.pk).exclude(last_punch_at__gte=latest).update(last_punch_at=latest)

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


def _upsert_presence(presence: dict[tuple[int, int, dt.date], list[tuple[dt.datetime, bool]]]) -> None:
    """Fold the batch's punches into person × project × day, then merge with what is stored."""
    if not presence:
        return
    rows = []
    for (person_id, project_id, day), punches in sorted(presence.items()):
        times = [at for at, _valid in punches]
        valid_times = [at for at, valid in punches if valid]
        rows.append((
            person_id, project_id, day, min(times), max(times), len(times), len(valid_times),
            min(valid_times) if valid_times else None, max(valid_times) if valid_times else None,
        ))  # fmt: skip
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
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
            f"first_valid_at = {merged(least, 'first_valid_at')}, last_valid_at = {merged(greatest, 'last_valid_at')}",
            _flatten(rows),
        )
