"""How findings read to a regulator: Chinese sentences with Shanghai times, never keys or raw values.
Each rule's `describe` builds its sentence from these."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
WHO = {"workers": "务工人员", "managers": "项目管理人员"}


def moment(value) -> str:
    """An ISO time (or datetime) as a regulator reads it: 2026年11月24日 09:30 (Shanghai)."""
    if not value:
        return "—"
    at = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


def day(value) -> str:
    if not value:
        return "—"
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{date.year}年{date.month}月{date.day}日"


def month(value) -> str:
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{date.year}年{date.month}月"


def percent(ratio) -> str:
    """0.323 → 32.3%; 0.8 → 80%."""
    if ratio is None:
        return "—"
    text = f"{float(ratio) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def position_name(code: str) -> str:
    """A manager position's name from the reference table (项目经理), the code when unknown."""
    if not code:
        return "管理人员"
    from projects.selectors import position_names

    return position_names().get(code, code)
