"""Values read through a raw cursor: SQLite (the embedded default) answers dates and timestamps as
text where PostgreSQL answers date and datetime objects."""

from __future__ import annotations

import datetime as dt


def as_date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def as_datetime(value) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
