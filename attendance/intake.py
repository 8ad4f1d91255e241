"""Reading one punch record of a device batch (api.md §1). Pure: no database, no clock of its own.

Each record stands alone: a bad one becomes a Rejection with the contract's code and a message
naming the problem, and never affects the others.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from attendance.choices import Direction, Method
from projects.identity import InvalidIdNumber, parse_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_PHOTO_BYTES = 200 * 1024
MAX_AHEAD = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
DIRECTIONS = frozenset(Direction.values)
METHODS = frozenset(Method.values)


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
    """ISO 8601; a time without an offset is Asia/Shanghai (api.md)."""
    if not isinstance(value, str) or not value:
        raise _Reject("invalid_time", "punched_at must be an ISO 8601 date-time string")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError as exc:
        raise _Reject("invalid_time", f"punched_at {value!r} is not an ISO 8601 date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    return float(value)


def parse_punch(raw: object, *, now: dt.datetime) -> PunchRecord | Rejection:
    record_id = raw.get("record_id") if isinstance(raw, dict) else None
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    shown_id = record_id if isinstance(record_id, str) else None
    try:
        return _parse(raw, record_id, now)
    except _Reject as rejection:
        return Rejection(record_id=shown_id, code=rejection.code, message=rejection.message)


def _parse(raw: object, record_id: object, now: dt.datetime) -> PunchRecord:
    if not isinstance(raw, dict):
        raise _Reject("missing_field", "a punch must be a JSON object")
    for name in ("record_id", "id_number", "punched_at", "direction", "method"):
        if raw.get(name) in (None, ""):
            raise _Reject("missing_field", f"{name} is required")
    if not isinstance(record_id, str) or not 1 <= len(record_id) <= 64 or not record_id.isprintable():
        raise _Reject("missing_field", "record_id must be a string of 1 to 64 printable characters")
    if not isinstance(raw["id_number"], str):
        raise _Reject("invalid_id_number", "id_number must be a string")
    try:
        id_number = parse_id_number(raw["id_number"], today=now.astimezone(SHANGHAI).date()).number
    except InvalidIdNumber as exc:
        raise _Reject("invalid_id_number", exc.messages[0]) from exc
    punched_at = parse_time(raw["punched_at"])
    if punched_at > now + MAX_AHEAD:
        raise _Reject("future_time", "punched_at is more than 5 minutes ahead of the server's clock")
    if punched_at < EARLIEST:
        raise _Reject("invalid_time", "punched_at is before 2000")
    if raw["direction"] not in DIRECTIONS:
        raise _Reject("invalid_direction", "direction must be in or out")
    if raw["method"] not in METHODS:
        raise _Reject("invalid_method", "method must be face, fingerprint, iris, id_card or mobile")
    liveness = raw.get("liveness")
    if liveness is not None and not isinstance(liveness, bool):
        raise _Reject("invalid_liveness", "liveness must be true, false or null")
    try:
        score = _number(raw.get("match_score"))
    except TypeError as exc:
        raise _Reject("invalid_score", "match_score must be a number") from exc
    if score is not None and not 0.0 <= score <= 1.0:
        raise _Reject("invalid_score", "match_score must be between 0.0 and 1.0")
    photo, photo_sha256 = _photo(raw.get("photo"), raw.get("photo_sha256"))
    try:
        lat, lon = _number(raw.get("lat")), _number(raw.get("lon"))
    except TypeError as exc:
        raise _Reject("invalid_location", "lat and lon must be numbers") from exc
    if raw["method"] == Method.MOBILE and (lat is None or lon is None):
        raise _Reject("invalid_location", "a mobile punch needs lat and lon")
    if (lat is None) != (lon is None):
        raise _Reject("invalid_location", "give both lat and lon, or neither")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _Reject("invalid_location", "lat must be within ±90 and lon within ±180 degrees")
    return PunchRecord(
        record_id=record_id, id_number=id_number, punched_at=punched_at, direction=raw["direction"],
        method=raw["method"], liveness=liveness, match_score=score, photo=photo, photo_sha256=photo_sha256,
        lat=lat, lon=lon,
    )  # fmt: skip


def _photo(photo: object, claimed: object) -> tuple[bytes | None, str]:
    if claimed is not None and (not isinstance(claimed, str) or not HEX64.match(claimed)):
        raise _Reject("invalid_photo", "photo_sha256 must be 64 hexadecimal characters")
    claimed = claimed.lower() if isinstance(claimed, str) else ""
    if photo is None:
        return None, claimed
    if not isinstance(photo, str):
        raise _Reject("invalid_photo", "photo must be a base64 string")
    if len(photo) > (MAX_PHOTO_BYTES * 4) // 3 + 8:
        raise _Reject("invalid_photo", "the photo is over 200 KiB")
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
