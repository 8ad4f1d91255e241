"""What every rule returns: findings, frozen, with the evidence a reader can check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    rule: str
    project_id: int
    subject_type: str  # project | device | engagement | change
    subject_id: int | None
    subject: str  # what a reader sees: a device serial, a person's name and position, …
    period_start: dt.date
    period_end: dt.date
    evidence: dict = field(default_factory=dict, compare=False, hash=False)
    # The condition's name: by default rule and subject; a rule whose findings are periods (a month,
    # a streak) adds the period, so each period is its own alert.
    period_key: str = ""

    @property
    def key(self) -> str:
        parts = [self.rule, str(self.project_id), self.subject_type, str(self.subject_id or "")]
        return ":".join(parts + ([self.period_key] if self.period_key else []))
