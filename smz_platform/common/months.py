"""Month arithmetic, in one place, on dateutil's relativedelta (no hand-written day counts)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return month_start(day) + relativedelta(months=1, days=-1)


def shift_month(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or, negative, before) `month`'s."""
    return month_start(month) + relativedelta(months=months)


def next_month(month: dt.date) -> dt.date:
    return shift_month(month, 1)


def previous_month(month: dt.date) -> dt.date:
    return shift_month(month, -1)


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from `first`'s to `last`'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def month_days(month: dt.date, *, until: dt.date | None = None) -> list[dt.date]:
    """Every day of `month` (up to `until` when given)."""
    first, last = month_start(month), month_end(month)
    if until is not None:
        last = min(last, until)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
