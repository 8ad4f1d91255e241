"""R05 — project status changed without approval (seed 000 #5, seed 003 §三(八)–(十)): a change of
status or key dates in the history that no approved status request caused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspections.rules.base import Finding

CODE = "R05"


@dataclass(frozen=True)
class StatusChange:
    change_id: int
    project_id: int
    field: str
    old_value: str
    new_value: str
    changed_at: dt.datetime
    changed_by: str
    status_request_id: int | None


def evaluate(changes: list[StatusChange], *, day: dt.date) -> list[Finding]:
    return [
        Finding(
            CODE,
            c.project_id,
            "change",
            c.change_id,
            f"{c.field}: {c.old_value or '—'} → {c.new_value or '—'}",
            day,
            day,
            evidence={
                "field": c.field,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "changed_at": c.changed_at.isoformat(),
                "changed_by": c.changed_by,
            },
        )  # fmt: skip
        for c in changes
        if c.status_request_id is None
    ]
