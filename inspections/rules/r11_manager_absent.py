"""R11 — manager not on duty (seed 000 #11, seed 001 §三(二) and Annex 1 item 2): over a calendar
month, attended days ÷ construction days below 80% for the project manager and chief supervisor,
70% for the other managers. Judged by the run for the month's last day."""

from __future__ import annotations

import datetime as dt

from inspections.presence import ManagerPresence
from inspections.rules.base import Finding

CODE = "R11"


def evaluate(
    project_id: int, managers: list[ManagerPresence], *, month: dt.date, last_day: dt.date,
    positions: dict[str, str] | None = None,
) -> list[Finding]:  # fmt: skip
    """`positions`: the position codes' names (项目经理), for the subject a regulator reads."""
    positions = positions or {}
    return [
        Finding(
            CODE,
            project_id,
            "engagement",
            m.engagement,
            f"{m.name}（{positions.get(m.position, m.position)}）",
            month,
            last_day,
            evidence={
                "attended_days": m.attended_days,
                "construction_days": m.construction_days,
                "ratio": m.ratio,
                "threshold": m.threshold,
                "id_number": m.id_number,
                "position": m.position,
            },
            period_key=month.strftime("%Y-%m"),
        )  # fmt: skip
        for m in managers
        if not m.passed
    ]
