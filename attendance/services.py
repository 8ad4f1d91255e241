"""Punch intake: a device's batch validated record by record and stored in one transaction, with
presence kept up to date (attendance.storage). The answer is built only after the commit, so an
`accepted` is durable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from attendance.choices import Direction
from attendance.intake import PunchRecord, Rejection, parse_punch
from attendance.photos import photo_store
from attendance.rows import StoredPunch, punch_row
from attendance.storage import people_with_engagements, punches_store
from devices.gateway import DeviceIdentity
from devices.services import device_contact_record
from projects.services.people import engagement_card_checks_record
from smz_platform.common import pii

# A device's contact and last-punch times are kept to within this: a busy gate does not rewrite its
# row on every punch (the offline threshold is 30 minutes; the dashboard shows minutes).
CONTACT_RESOLUTION = dt.timedelta(seconds=30)


@dataclass
class IngestResult:
    results: list[dict] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0

    def as_answer(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "results": self.results,
        }


def _contact_is_fresh(device: DeviceIdentity, received_at: dt.datetime, latest: dt.datetime | None) -> bool:
    if not device.online or device.last_contact_at is None:
        return False
    if received_at - device.last_contact_at > CONTACT_RESOLUTION:
        return False
    return latest is None or (device.last_punch_at is not None and latest - device.last_punch_at <= CONTACT_RESOLUTION)


def _store(
    device: DeviceIdentity, rows: list[StoredPunch], received_at: dt.datetime, latest, clock_skew: int, card_reads: dict
) -> set[str]:
    """Store the rows, and the card reads among the new ones; record the contact unless it is fresh. With a
    fresh contact and no card read the punches are stored on their own (one statement for a single
    punch); otherwise in one transaction that first locks the device row (so every writer of a device
    takes its locks in the same order)."""
    if rows and not card_reads and _contact_is_fresh(device, received_at, latest):
        return punches_store(rows)
    with transaction.atomic():
        device_contact_record(device_id=device.pk, at=received_at, last_punch_at=latest, clock_skew=clock_skew)
        new_ids = punches_store(rows)
        reads = [read for record_id, read in sorted(card_reads.items()) if record_id in new_ids]
        engagement_card_checks_record(project_id=device.project_id, reads=reads, received_at=received_at)
        return new_ids


def _card_read(record: PunchRecord, person_id: int | None, spans) -> tuple | None:
    """The entry a card read verifies (杭建市发〔2016〕39号 三): an entry read of a card valid that day whose
    number is the engaged person's; any other read is a punch and nothing more."""
    day = record.local_day
    if record.card is None or record.direction != Direction.IN or person_id is None:
        return None
    if not record.card.valid_on(day) or not _is_engaged(spans.get(person_id, []), day):
        return None
    return (person_id, day, record.punched_at, record.card.valid_until)


def _is_engaged(spans: list[tuple[dt.date, dt.date | None]], day: dt.date) -> bool:
    return any(entered <= day and (exited is None or day <= exited) for entered, exited in spans)


def _row(
    device: DeviceIdentity, record: PunchRecord, digest: str, person_id: int | None, spans, received_at
) -> StoredPunch:
    return punch_row(
        device_id=device.pk,
        project_id=device.project_id,
        person_id=person_id,
        engaged=person_id is not None and _is_engaged(spans.get(person_id, []), record.local_day),
        record_id=record.record_id,
        id_number_digest=digest,
        id_number_masked=pii.mask_id_number(record.id_number),
        id_number_encrypted="" if person_id else pii.encrypt(record.id_number),
        punched_at=record.punched_at,
        received_at=received_at,
        direction=record.direction,
        method=record.method,
        liveness=record.liveness,
        match_score=record.match_score,
        photo_sha256=record.photo_sha256,
        photo_stored=record.photo is not None,
        lat=record.lat,
        lon=record.lon,
    )


def punch_batch_ingest(
    *, device: DeviceIdentity, punches: list, received_at: dt.datetime, clock_skew: int = 0
) -> IngestResult:
    """Validate each record, store the new ones, and answer per record in request order."""
    parsed = [parse_punch(raw, now=received_at) for raw in punches]
    outcome: list[dict | None] = [None] * len(parsed)
    records: dict[str, tuple[int, PunchRecord]] = {}
    for index, item in enumerate(parsed):
        if isinstance(item, Rejection):
            outcome[index] = {
                "record_id": item.record_id,
                "status": "rejected",
                "error": {"code": item.code, "message": item.message},
            }
        elif item.record_id in records:
            outcome[index] = {"record_id": item.record_id, "status": "duplicate"}
        else:
            records[item.record_id] = (index, item)

    digests = {record_id: pii.lookup_digest(record.id_number) for record_id, (_i, record) in records.items()}
    persons, spans = people_with_engagements(device.project_id, set(digests.values()))
    for _index, record in records.values():
        if record.photo is not None:
            photo_store(sha256=record.photo_sha256, content=record.photo)
    latest = max((record.punched_at for _i, record in records.values()), default=None)
    rows = [
        _row(device, records[record_id][1], digests[record_id], persons.get(digests[record_id]), spans, received_at)
        for record_id in sorted(records)
    ]
    card_reads = {
        record_id: read
        for record_id, (_i, record) in records.items()
        if (read := _card_read(record, persons.get(digests[record_id]), spans)) is not None
    }
    new_ids = _store(device, rows, received_at, latest, clock_skew, card_reads)

    result = IngestResult()
    for record_id, (index, _record) in records.items():
        outcome[index] = {"record_id": record_id, "status": "accepted" if record_id in new_ids else "duplicate"}
    for answer in outcome:
        assert answer is not None
        status = answer["status"]
        result.accepted += status == "accepted"
        result.duplicates += status == "duplicate"
        result.rejected += status == "rejected"
    result.results = [item for item in outcome if item is not None]  # every record is answered above
    return result
