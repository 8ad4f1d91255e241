"""Reading one punch record of a device batch (docs/device-api.md). Pure: no database, no clock of its own.

The record's shape is the contract's schema (attendance.contract); here come the checks a schema cannot
make: the ID number's check character, the device clock against the server's, the photo's bytes.

Each record stands alone: a bad one becomes a Rejection with the contract's code and a message
naming the problem, and never affects the others.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fastjsonschema import JsonSchemaValueException

from attendance.choices import Method
from attendance.contract import MAX_PHOTO_BYTES, PUNCH_RECORD, error_code, punch_validator
from projects.identity import InvalidIdNumber, parse_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_AHEAD = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CardRead:
    """A resident ID card read at the gate by a certified reader (杭建市发〔2016〕39号 三): its validity.
    `valid_until` is None for a card valid for life (长期)."""

    valid_from: dt.date
    valid_until: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class PunchRecord:
    record_id: str
    id_number: str
    punched_at: dt.datetime
    direction: str
    method: str
    liveness: bool | None
    match_score: float | None
    photo: bytes | None
    photo_sha256: str
    lat: float | None
    lon: float | None
    card: CardRead | None = None

    @property
    def local_day(self) -> dt.date:
        return self.punched_at.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Rejection:
    record_id: str | None
    code: str
    message: str


class _Reject(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def parse_time(value: object) -> dt.datetime:
    """ISO 8601; a time without an offset is Asia/Shanghai (docs/device-api.md)."""
    if not isinstance(value, str) or not value:
        raise _Reject("invalid_time", "punched_at must be an ISO 8601 date-time string")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError as exc:
        raise _Reject("invalid_time", f"punched_at {value!r} is not an ISO 8601 date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


REQUIRED = frozenset(PUNCH_RECORD["required"])


def parse_punch(raw: object, *, now: dt.datetime) -> PunchRecord | Rejection:
    record_id = raw.get("record_id") if isinstance(raw, dict) else None
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    shown_id = record_id if isinstance(record_id, str) else None
    try:
        return _parse(raw, record_id, now)
    except _Reject as rejection:
        return Rejection(record_id=shown_id, code=rejection.code, message=rejection.message)


def _structure(raw: object, record_id: object) -> dict:
    """The record checked against the contract's schema: a required field that is null or empty counts
    as missing."""
    if not isinstance(raw, dict):
        raise _Reject("missing_field", "a punch must be a JSON object")
    record = {k: v for k, v in raw.items() if not (k in REQUIRED and v in (None, ""))}
    if "record_id" in record:
        record["record_id"] = record_id
    try:
        punch_validator()(record)
    except JsonSchemaValueException as exc:
        code = error_code(exc)
        if exc.rule == "required":
            missing = next(name for name in PUNCH_RECORD["required"] if name not in record)
            raise _Reject(code, f"{missing} is required") from exc
        raise _Reject(code, exc.message.replace("data.", "", 1)) from exc
    return record


def _parse(raw: object, record_id: object, now: dt.datetime) -> PunchRecord:
    record = _structure(raw, record_id)
    try:
        id_number = parse_id_number(record["id_number"], today=now.astimezone(SHANGHAI).date()).number
    except InvalidIdNumber as exc:
        raise _Reject("invalid_id_number", exc.messages[0]) from exc
    punched_at = parse_time(record["punched_at"])
    if punched_at > now + MAX_AHEAD:
        raise _Reject("future_time", "punched_at is more than 5 minutes ahead of the server's clock")
    if punched_at < EARLIEST:
        raise _Reject("invalid_time", "punched_at is before 2000")
    photo, photo_sha256 = _photo(record.get("photo"), record.get("photo_sha256"))
    score = record.get("match_score")
    lat, lon = record.get("lat"), record.get("lon")
    if record["method"] == Method.MOBILE and (lat is None or lon is None):
        raise _Reject("invalid_location", "a mobile punch needs lat and lon")
    if (lat is None) != (lon is None):
        raise _Reject("invalid_location", "give both lat and lon, or neither")
    card = _card(record)
    return PunchRecord(
        record_id=record_id,
        id_number=id_number,
        punched_at=punched_at,
        direction=record["direction"],
        method=record["method"],
        liveness=record.get("liveness"),
        match_score=None if score is None else float(score),
        photo=photo,
        photo_sha256=photo_sha256,
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        card=card,
    )


def _card(record: dict) -> CardRead | None:
    """The card read's validity: both dates, real ones, in order, and only on an ID card punch."""
    given = [name for name in ("card_valid_from", "card_valid_until") if record.get(name) is not None]
    if not given:
        return None
    if len(given) == 1:
        raise _Reject("invalid_card", "give both card_valid_from and card_valid_until, or neither")
    if record["method"] != Method.ID_CARD:
        raise _Reject("invalid_card", "card_valid_from and card_valid_until come only with method id_card")
    try:
        valid_from = dt.date.fromisoformat(record["card_valid_from"])
        until = record["card_valid_until"]
        valid_until = None if until == "长期" else dt.date.fromisoformat(until)
    except ValueError as exc:
        raise _Reject("invalid_card", "card_valid_from and card_valid_until must be real dates") from exc
    if valid_until is not None and valid_until < valid_from:
        raise _Reject("invalid_card", "card_valid_until is before card_valid_from")
    return CardRead(valid_from=valid_from, valid_until=valid_until)


def _photo(photo: str | None, claimed: str | None) -> tuple[bytes | None, str]:
    """The photo's bytes (base64 JPEG within the size) and its digest, matching the claimed one."""
    claimed = claimed.lower() if claimed else ""
    if photo is None:
        return None, claimed
    try:
        content = base64.b64decode(photo, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Reject("invalid_photo", "photo is not valid base64") from exc
    if len(content) > MAX_PHOTO_BYTES:
        raise _Reject("invalid_photo", "the photo is over 200 KiB")
    if not content.startswith(b"\xff\xd8\xff"):
        raise _Reject("invalid_photo", "photo is not a JPEG image")
    digest = hashlib.sha256(content).hexdigest()
    if claimed and claimed != digest:
        raise _Reject("invalid_photo", "photo_sha256 does not match the photo")
    return content, digest
