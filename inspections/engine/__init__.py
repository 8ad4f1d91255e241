"""The nightly run: every implemented rule for one day, its inputs loaded by set-based selectors.

The same code serves the Celery beat entry (01:30 Asia/Shanghai, for yesterday) and
`manage.py run_rules`. A PostgreSQL advisory lock makes sure two runs never overlap; each rule's
evaluation is recorded as a RuleRun.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from inspections.engine.collect import (
    collect_r01,
    collect_r02,
    collect_r03,
    collect_r04,
    collect_r05,
    collect_r06,
    collect_r07,
    collect_r08,
    collect_r09,
    collect_r10,
    collect_r11_r16,
    collect_r12,
    collect_r13,
    collect_r14,
    collect_r15,
    month_results,
)
from inspections.engine.context import Context, build_context
from inspections.models import RuleRun
from inspections.rules.base import Finding
from inspections.services import AlertCounts, alerts_apply

LOCK_KEY = 7_402_716_001  # pg advisory lock of the rules run


class RunInProgress(Exception):
    """Another run holds the lock."""


@dataclass(frozen=True)
class RuleResult:
    rule: str
    findings: int
    counts: AlertCounts
    duration_ms: int


@contextmanager
def run_guard() -> Iterator[None]:
    """Two beats, or a beat and a manual run, never run at once (PostgreSQL advisory lock)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RunInProgress
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


RULES: list[tuple[str, Callable[[Context], list[Finding]]]] = [
    ("R01", collect_r01), ("R02", collect_r02), ("R03", collect_r03), ("R04", collect_r04), ("R05", collect_r05),
    ("R06", collect_r06), ("R07", collect_r07), ("R08", collect_r08), ("R09", collect_r09), ("R10", collect_r10),
    ("R12", collect_r12), ("R13", collect_r13), ("R14", collect_r14), ("R15", collect_r15),
]  # fmt: skip


def rules_run(*, day: dt.date, now: dt.datetime | None = None) -> list[RuleResult]:
    """Evaluate every implemented rule for `day`; raises RunInProgress if another run holds the lock."""
    now = now or timezone.now()
    results = []
    with run_guard():
        ctx = build_context(day)
        scored = {pk: (p.go_live is None or day >= p.go_live) for pk, p in ctx.policies.items()}
        monthly = None
        for code, collect in [*RULES, ("R11", None), ("R16", None)]:
            started = time.perf_counter()
            if collect is None:
                monthly = monthly if monthly is not None else collect_r11_r16(ctx)
                findings = monthly[code]
            else:
                findings = collect(ctx)
            counts = alerts_apply(rule=code, day=day, findings=findings, now=now, scored=scored)
            duration = int((time.perf_counter() - started) * 1000)
            RuleRun.objects.create(day=day, rule=code, started_at=now, duration_ms=duration, findings=len(findings),
                                   new_alerts=counts.new, updated_alerts=counts.updated,
                                   resolved_alerts=counts.resolved)  # fmt: skip
            results.append(RuleResult(code, len(findings), counts, duration))
    return results


__all__ = ["LOCK_KEY", "Context", "RuleResult", "RunInProgress", "build_context", "month_results", "rules_run"]
