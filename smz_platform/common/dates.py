"""Dates as a regulator writes them (2026年11月30日), for workbooks, notes and sentences: never ISO."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def chinese_date(day: dt.date | None) -> str:
    """2026年11月25日; an unknown date is 未定 (not yet set), never a crash in a message."""
    if day is None:
        return "未定"
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: dt.datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{chinese_date(local.date())} {local:%H:%M}"


def period_text(start: dt.date, end: dt.date) -> str:
    return f"{chinese_date(start)}至{chinese_date(end)}"


# Excel's own format for a date cell, so that a sheet keeps real dates (sortable) that read the same way.
EXCEL_DATE = 'yyyy"年"m"月"d"日"'
