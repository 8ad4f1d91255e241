"""The nightly run: every rule of the registry for one day, its inputs loaded by set-based selectors.

The same code serves the Celery beat entry (01:30 Asia/Shanghai, for yesterday) and
`manage.py run_rules`. A claim on the day's run record makes sure two runs of a day never overlap
(inspections.engine.claims); each rule's evaluation is recorded as a RuleRun.

Order matters: the rules that find punches false (R06–R10, R13) run first, and their findings make
those punches not count, so the rules that read presence afterwards (R11, R12, R15, R16) count only
trustworthy attendance. Replacements of required managers whose new holder has attended switch before
any rule reads who holds a position. A rule judged outside the night (R15, when an inspection of a
past day is recorded) goes through `rule_judge`, the same collector on a context cut to the project;
when staff reinstate punches, `figures_rejudge` judges again the months and inspections they touch.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from inspections.engine.claims import RunInProgress, run_claim
from inspections.engine.context import Context, build_context
from inspections.models import RuleRun
from inspections.rules import registry, rule
from inspections.rules.base import Cadence, Finding, RuleSpec
from inspections.selectors import attended_presence
from inspections.services.alerts import AlertCounts, alerts_apply, alerts_resolve_absent
from inspections.services.verdicts import verdicts_record
from projects.choices import StatusRequestKind, StatusRequestState
from projects.models import StatusRequest
from projects.services.status import replacement_switch
from smz_platform.common.months import month_end


@dataclass(frozen=True)
class RuleResult:
    rule: str
    findings: int
    counts: AlertCounts
    duration_ms: int


def _go_live(ctx: Context) -> dict[int, dt.date | None]:
    return {pk: policy.go_live for pk, policy in ctx.policies.items()}


def _findings(spec: RuleSpec, ctx: Context) -> list[Finding]:
    if spec.cadence == Cadence.MONTH_END and not ctx.is_month_end:
        return []  # a month is judged on its last night only
    return spec.collect(ctx)


def _apply(spec: RuleSpec, ctx: Context, findings: list[Finding], now: dt.datetime, *, resolve: bool) -> AlertCounts:
    # A rule with no open alert has none to resolve: no statement for it (ctx.rules_with_open_alerts).
    resolve = resolve and spec.resolves and spec.code in ctx.rules_with_open_alerts()
    counts = alerts_apply(
        spec=spec,
        day=ctx.day,
        findings=findings,
        now=now,
        go_live=_go_live(ctx),
        resolve=resolve,
        judged=ctx.active_ids(),
        previous_day=ctx.previous_construction_day,
    )
    if spec.invalidates:
        verdicts_record(spec=spec, findings=findings, alert_ids=counts.ids, policies=ctx.policy)
    return counts


def order_of_judgement() -> list[RuleSpec]:
    """The rules that find punches false first, then the others, each group in code order."""
    return sorted(registry(), key=lambda spec: (not spec.invalidates, spec.code))


def replacements_switch(*, day: dt.date, project_ids=None) -> int:
    """Approved replacements of a required manager whose new holder attended on or before `day` switch
    on the first such day (中山 2019 上线通知 三(十一)): until then the old holder is the one judged."""
    switched = 0
    pending = StatusRequest.objects.filter(
        kind=StatusRequestKind.MANAGER_REPLACEMENT, state=StatusRequestState.APPROVED, switched_on__isnull=True
    ).select_related("replacement")
    if project_ids is not None:
        pending = pending.filter(project_id__in=list(project_ids))
    for request in pending:
        approved = timezone.localtime(request.city_decided_at).date()
        first = (
            attended_presence(first=approved, last=day)
            .filter(project_id=request.project_id, person_id=request.replacement.person_id)
            .order_by("day")
            .values_list("day", flat=True)
            .first()
        )
        if first is not None:
            switched += replacement_switch(status_request=request, day=first)
    return switched


def rules_judge(specs: list[RuleSpec], ctx: Context, *, now: dt.datetime, claims, part: str = "") -> list[RuleResult]:
    """Judge `specs` in order on `ctx`, beating every claim after each rule, and record each rule judged as a
    RuleRun (in one statement at the end, also when a rule fails: those judged before it are recorded). A
    context cut to one part of the night (ctx.unit_projects) keeps only the findings of that part's projects:
    a rule that reads other projects' punches (R07) finds the rest in their own parts."""
    results, runs = [], []
    try:
        for spec in specs:
            started = time.perf_counter()
            findings = _findings(spec, ctx)
            if ctx.unit_projects is not None:
                findings = [f for f in findings if f.project_id in ctx.unit_projects]
            counts = _apply(spec, ctx, findings, now, resolve=True)
            duration = int((time.perf_counter() - started) * 1000)
            runs.append(
                RuleRun(
                    day=ctx.day,
                    part=part,
                    rule=spec.code,
                    started_at=now,
                    duration_ms=duration,
                    findings=len(findings),
                    new_alerts=counts.new,
                    updated_alerts=counts.updated,
                    resolved_alerts=counts.resolved,
                )
            )
            results.append(RuleResult(spec.code, len(findings), counts, duration))
            for claim in claims:
                claim.beat()
    finally:
        RuleRun.objects.bulk_create(runs)
    return results


def rules_run(*, day: dt.date, now: dt.datetime | None = None) -> list[RuleResult]:
    """Evaluate every rule for `day` in one process (manage.py run_rules; the night itself is fanned out
    over the workers by inspections.engine.fanout); raises RunInProgress if another run of the day holds
    its claim."""
    now = now or timezone.now()
    with run_claim(day=day) as claim:
        replacements_switch(day=day)
        results = rules_judge(order_of_judgement(), build_context(day), now=now, claims=[claim])
    return sorted(results, key=lambda r: r.rule)


def rule_judge(*, code: str, day: dt.date, project_ids, now: dt.datetime | None = None) -> list[Finding]:
    """One rule for some projects outside the nightly run; its findings are stored as alerts, and
    nothing is resolved (the night judges the whole day)."""
    spec = rule(code)
    ctx = build_context(day, project_ids=project_ids)
    findings = _findings(spec, ctx)
    _apply(spec, ctx, findings, now or timezone.now(), resolve=False)
    return findings


def _rejudge(spec: RuleSpec, day: dt.date, project_ids: set[int], now: dt.datetime) -> None:
    ctx = build_context(day, project_ids=project_ids)
    findings = _findings(spec, ctx)
    _apply(spec, ctx, findings, now, resolve=False)
    alerts_resolve_absent(spec=spec, period_end=day, project_ids=project_ids, keys={f.key for f in findings}, now=now)


def figures_rejudge(*, days: set[tuple[int, dt.date]], now: dt.datetime | None = None) -> None:
    """Punches of these (project, day)s count again: the months already judged (R11, R16) and the
    inspections of those days (R15) are judged again, and what no longer holds is resolved."""
    now = now or timezone.now()
    today = timezone.localdate()
    months, inspected = defaultdict(set), defaultdict(set)
    for project_id, day in days:
        inspected[day].add(project_id)
        if month_end(day) < today:
            months[month_end(day)].add(project_id)
    for spec in registry():
        if spec.cadence == Cadence.MONTH_END:
            for end, project_ids in months.items():
                _rejudge(spec, end, project_ids, now)
        elif spec.cadence == Cadence.AT_INSPECTION:
            for day, project_ids in inspected.items():
                _rejudge(spec, day, project_ids, now)


__all__ = ["Context", "RuleResult", "RunInProgress", "build_context", "figures_rejudge", "rule_judge", "rules_run"]
