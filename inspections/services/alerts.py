"""Writes of the rules engine: alerts from findings, one per occurrence of a condition.

A finding names its condition (`Finding.key`: rule, project, subject and, for a rule whose findings are
periods, the period). For a rule judged day by day the alert is one *occurrence*: the condition seen
on consecutive construction days. The same condition on the next construction day continues the
occurrence (its period grows, `last_seen` moves); after a gap it is a new occurrence, a new alert. A
dismissal (staff reviewed it: a false positive) covers the occurrence it was given for, so the same
condition arising again later opens a new alert instead of being silenced for good.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from inspections.models import LIVE_STATES, Alert, AlertState
from inspections.rules.base import Finding, Occurrence, RuleSpec


@dataclass(frozen=True)
class AlertCounts:
    new: int = 0
    updated: int = 0
    resolved: int = 0
    # The alert standing for each finding (by its key), dismissed ones left out (reviewed: genuine).
    ids: dict[str, int] = field(default_factory=dict, compare=False)


# An occurrence goes on: its period grows, it was seen now, the evidence is said as the finding now says it. On
# PostgreSQL one statement for all of a rule's continued alerts (a city's night continues ~100,000; one UPDATE
# each, or Django's bulk_update building a CASE per field and alert in Python, was most of the night).
_CONTINUE_SQL = """
UPDATE inspections_alert AS a
   SET last_seen = GREATEST(a.last_seen, %s),
       period_end = GREATEST(a.period_end, v.period_end),
       period_start = LEAST(a.period_start, v.period_start),
       evidence = v.evidence::jsonb,
       scored = a.scored OR v.scored,
       subject = v.subject
  FROM unnest(%s::bigint[], %s::date[], %s::date[], %s::text[], %s::boolean[], %s::text[])
       AS v(id, period_end, period_start, evidence, scored, subject)
 WHERE a.id = v.id
"""


def _continue(continued: list[tuple[Alert, Finding, bool]], now: dt.datetime) -> int:
    if not continued:
        return 0
    if connection.vendor != "postgresql":  # the embedded SQLite default: a few projects, one UPDATE each
        for alert, finding, scored in continued:
            Alert.objects.filter(pk=alert.pk).update(
                last_seen=max(alert.last_seen, now),
                period_end=max(alert.period_end, finding.period_end),
                period_start=min(alert.period_start, finding.period_start),
                evidence=finding.evidence,
                scored=alert.scored or scored,
                subject=finding.subject[:200],
            )
        return len(continued)
    encoder = Alert._meta.get_field("evidence").encoder
    columns = zip(
        *(
            (alert.pk, f.period_end, f.period_start, json.dumps(f.evidence, cls=encoder), scored, f.subject[:200])
            for alert, f, scored in continued
        ),
        strict=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(_CONTINUE_SQL, [now, *(list(column) for column in columns)])
        return cursor.rowcount


def _new_alert(spec: RuleSpec, finding: Finding, scored: bool, now: dt.datetime) -> Alert:
    return Alert(
        key=_occurrence_key(finding, spec),
        subject_key=finding.key,
        rule=spec.code,
        project_id=finding.project_id,
        subject_type=finding.subject_type,
        subject_id=finding.subject_id,
        subject_code=finding.subject_code,
        subject=finding.subject[:200],
        period_start=finding.period_start,
        period_end=finding.period_end,
        evidence=finding.evidence,
        scored=scored,
        first_detected=now,
        last_seen=now,
    )


def _create(fresh: list[tuple[Finding, Alert]], ids: dict[str, int], continued: list) -> int:
    """The new occurrences' alerts, a thousand to a statement (a rebuild or a first night opens ~100,000). When
    one of them exists already (a concurrent run made it, the unique live key refuses the batch), one at a time:
    that one is continued instead."""
    if not fresh:
        return 0
    if connection.features.can_return_rows_from_bulk_insert:
        try:
            with transaction.atomic():
                Alert.objects.bulk_create([alert for _finding, alert in fresh], batch_size=1000)
            ids.update((finding.key, alert.pk) for finding, alert in fresh)
            return len(fresh)
        except IntegrityError:
            for _finding, alert in fresh:
                alert.pk = None  # the rolled-back batch's ids are not theirs
    new = 0
    for finding, alert in fresh:
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
            new += 1
            ids[finding.key] = alert.pk
        except IntegrityError:  # a concurrent run made it
            alert.pk = None
            existing = Alert.objects.get(key=alert.key, state__in=LIVE_STATES)
            if existing.state != AlertState.DISMISSED:
                continued.append((existing, finding, alert.scored))
                ids[finding.key] = existing.pk
    return new


def is_scored(go_live: dt.date | None, period_end: dt.date) -> bool:
    """A finding counts (Annex 1, the ladder, credit) when its condition holds on or after the policy's
    go-live date (中山 2019 上线通知 四(四): the trial period is not assessed); a streak crossing it does."""
    return go_live is None or period_end >= go_live


def _occurrence_key(finding: Finding, spec: RuleSpec) -> str:
    return finding.key if spec.occurrence == Occurrence.PERIOD else f"{finding.key}@{finding.period_start}"


def _continuing(spec: RuleSpec, findings: list[Finding], previous_day: Callable[[int], dt.date]) -> dict[str, Alert]:
    """The live alert each finding continues: the same key for a period rule; for a day-by-day rule, the
    occurrence of the same condition last seen on the project's previous construction day or later."""
    if not findings:  # most rules find nothing on most nights: no query to build
        return {}
    subject_keys = {f.key for f in findings}
    live = Alert.objects.filter(rule=spec.code, state__in=LIVE_STATES).defer("evidence", "subject")  # rewritten
    if spec.occurrence == Occurrence.PERIOD:
        return {a.key: a for a in live.filter(key__in=subject_keys)}
    continuing: dict[str, Alert] = {}
    for alert in live.filter(subject_key__in=subject_keys):
        if alert.period_end >= previous_day(alert.project_id):
            known = continuing.get(alert.subject_key)
            if known is None or alert.period_end > known.period_end:
                continuing[alert.subject_key] = alert
    return continuing


def alerts_apply(
    *,
    spec: RuleSpec,
    day: dt.date,
    findings: list[Finding],
    now: dt.datetime,
    go_live: dict[int, dt.date | None],
    resolve: bool = True,
    judged: set[int] | None = None,
    previous_day: Callable[[int], dt.date] | None = None,
) -> AlertCounts:
    """Upsert one alert per occurrence; resolve this rule's live alerts whose condition cleared (for a
    rule whose findings resolve; an event stands until staff act).

    A condition clears on `day` only for a project judged that day (`judged`: those for which it was a
    construction day) and only if it was last seen before `day`: re-judging an earlier day (a rebuild
    of history) never resolves what later days found. `go_live` is each project's policy go-live date.
    """
    previous_day = previous_day or (lambda _project: day - dt.timedelta(days=1))
    continuing = _continuing(spec, findings, previous_day)
    ids: dict[str, int] = {}
    continued: list[tuple[Alert, Finding, bool]] = []
    fresh: list[tuple[Finding, Alert]] = []
    for finding in findings:
        alert = continuing.get(finding.key)
        scored = is_scored(go_live.get(finding.project_id), finding.period_end)
        if alert is None:
            fresh.append((finding, _new_alert(spec, finding, scored, now)))
        elif alert.state != AlertState.DISMISSED:  # a reviewed occurrence stands dismissed while it goes on
            continued.append((alert, finding, scored))
            ids[finding.key] = alert.pk
    new = _create(fresh, ids, continued)
    updated = _continue(continued, now)
    resolved = 0
    if resolve and spec.resolves:
        cleared = Alert.objects.filter(
            rule=spec.code, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED], period_end__lt=day
        ).exclude(pk__in=list(ids.values()))
        if judged is not None:
            cleared = cleared.filter(project_id__in=judged)
        resolved = cleared.update(state=AlertState.RESOLVED, resolved_at=now)
    return AlertCounts(new=new, updated=updated, resolved=resolved, ids=ids)


def alerts_resolve_absent(*, spec: RuleSpec, period_end: dt.date, project_ids, keys: set[str], now) -> int:
    """After a period was judged again (punches reinstated): its live alerts that the new judgement no
    longer finds are resolved."""
    return (
        Alert.objects.filter(rule=spec.code, project_id__in=list(project_ids), period_end=period_end)
        .filter(Q(state=AlertState.OPEN) | Q(state=AlertState.ACKNOWLEDGED))
        .exclude(key__in=keys)
        .update(state=AlertState.RESOLVED, resolved_at=now)
    )
