"""The nightly run: every rule of the registry for one day, its inputs loaded by set-based selectors.

The same code serves the Celery beat entry (01:30 Asia/Shanghai, for yesterday) and
`manage.py run_rules`. A claim on the day's run record makes sure two runs of a day never overlap
(inspections.engine.claims); each rule's evaluation is recorded as a RuleRun. A rule judged outside
the nightly run (R15, when an inspection of a past day is recorded) goes through `rule_judge`, the
same collector on a context cut to the inspection's project.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.utils import timezone

from inspections.engine.claims import RunInProgress, run_claim
from inspections.engine.context import Context, build_context
from inspections.models import RuleRun
from inspections.rules import registry, rule
from inspections.rules.base import Cadence, Finding, RuleSpec
from inspections.services.alerts import AlertCounts, alerts_apply


@dataclass(frozen=True)
class RuleResult:
    rule: str
    findings: int
    counts: AlertCounts
    duration_ms: int


def _scored(ctx: Context) -> dict[int, bool]:
    """Per project, whether the day is past its policy's go-live date (the trial period is not scored)."""
    return {pk: (p.go_live is None or ctx.day >= p.go_live) for pk, p in ctx.policies.items()}


def _findings(spec: RuleSpec, ctx: Context) -> list[Finding]:
    if spec.cadence == Cadence.MONTH_END and not ctx.is_month_end:
        return []  # a month is judged on its last night only
    return spec.collect(ctx)


def rules_run(*, day: dt.date, now: dt.datetime | None = None) -> list[RuleResult]:
    """Evaluate every rule for `day`; raises RunInProgress if another run of the day holds its claim."""
    now = now or timezone.now()
    results = []
    with run_claim(day=day) as claim:
        ctx = build_context(day)
        scored = _scored(ctx)
        for spec in registry():
            started = time.perf_counter()
            findings = _findings(spec, ctx)
            counts = alerts_apply(spec=spec, day=day, findings=findings, now=now, scored=scored)
            duration = int((time.perf_counter() - started) * 1000)
            RuleRun.objects.create(day=day, rule=spec.code, started_at=now, duration_ms=duration,
                                   findings=len(findings), new_alerts=counts.new, updated_alerts=counts.updated,
                                   resolved_alerts=counts.resolved)  # fmt: skip
            results.append(RuleResult(spec.code, len(findings), counts, duration))
            claim.beat()
    return results


def rule_judge(*, code: str, day: dt.date, project_ids, now: dt.datetime | None = None) -> list[Finding]:
    """One rule for some projects outside the nightly run; its findings are stored as alerts, and
    nothing is resolved (the night judges the whole day)."""
    spec = rule(code)
    ctx = build_context(day, project_ids=project_ids)
    findings = _findings(spec, ctx)
    alerts_apply(spec=spec, day=day, findings=findings, now=now or timezone.now(), scored=_scored(ctx), resolve=False)
    return findings


__all__ = ["Context", "RuleResult", "RunInProgress", "build_context", "rule_judge", "rules_run"]
