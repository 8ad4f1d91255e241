"""The intake's counter for /metrics (operations/metrics.py serves it with the platform's other figures)."""

from __future__ import annotations

from prometheus_client import Counter

INTAKE = Counter("smz_intake_records", "Punch records answered, by outcome.", ["outcome"])


def intake_count(*, accepted: int, duplicate: int, rejected: int) -> None:
    for outcome, n in (("accepted", accepted), ("duplicate", duplicate), ("rejected", rejected)):
        if n:
            INTAKE.labels(outcome).inc(n)
