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
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from inspections.models import LIVE_STATES, Alert, AlertState
from inspections.rules.base import Finding, Occurrence, RuleSpec
from smz_platform.common.lookups import AnyOf


@dataclass(frozen=True)
class AlertCounts:
    new: int = 0
    updated: int = 0
    resolved: int = 0
    # The alert standing for each finding (by its key), dismissed ones left out (reviewed: genuine).
    ids: dict[str, int] = field(default_factory=dict, compare=False)


class Live(NamedTuple):
    """What the night reads of a live alert to continue it (not its evidence, which it rewrites): a row, not a
    model instance, for the ~100,000 a city's night continues."""

    pk: int
    key: str
    subject_key: str
    project_id: int
    state: str
    period_start: dt.date
    period_end: dt.date
    last_seen: dt.datetime
    scored: bool


_LIVE_FIELDS = Live._fields  # values_list() in the order of the row


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


def _continue(continued: list[tuple[Live, Finding, bool]], now: dt.datetime) -> int:
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


# A night's new occurrences in one statement on PostgreSQL (a first night or a rebuild opens ~100,000 in a city, five
# times that in a province): Django's bulk_create spent two thirds of its time building model instances and preparing
# their values one by one in Python (16 s of a city's 32 s first night, profiled).
_CREATE_SQL = """
INSERT INTO inspections_alert (key, subject_key, rule, project_id, subject_type, subject_id, subject_code, subject,
                               period_start, period_end, evidence, state, scored, first_detected, last_seen,
                               dismissed_reason)
SELECT v.key, v.subject_key, %s, v.project_id, v.subject_type, v.subject_id, v.subject_code, v.subject,
       v.period_start, v.period_end, v.evidence::jsonb, %s, v.scored, %s, %s, ''
  FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::date[],
              %s::date[], %s::text[], %s::boolean[])
       AS v(key, subject_key, project_id, subject_type, subject_id, subject_code, subject, period_start, period_end,
            evidence, scored)
RETURNING id, key
"""


def _insert(spec: RuleSpec, fresh: list[tuple[Finding, bool]], ids: dict[str, int], now: dt.datetime) -> int:
    """The new occurrences' alerts in one INSERT … SELECT FROM unnest (PostgreSQL); their ids into `ids`."""
    encoder = Alert._meta.get_field("evidence").encoder
    finding_of: dict[str, str] = {}
    columns: list[list] = [[] for _ in range(11)]  # as _CREATE_SQL's unnest takes them, a list each
    (occurrences, keys, projects, types, subject_ids, codes, subjects, starts, ends, evidences, scores) = columns
    for f, scored in fresh:
        key = f.key
        occurrence = key if spec.occurrence == Occurrence.PERIOD else f"{key}@{f.period_start}"
        finding_of[occurrence] = key
        occurrences.append(occurrence)
        keys.append(key)
        projects.append(f.project_id)
        types.append(f.subject_type)
        subject_ids.append(f.subject_id)
        codes.append(f.subject_code)
        subjects.append(f.subject[:200])
        starts.append(f.period_start)
        ends.append(f.period_end)
        evidences.append(json.dumps(f.evidence, cls=encoder))
        scores.append(scored)
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_SQL, [spec.code, AlertState.OPEN, now, now, *columns])
        inserted = cursor.fetchall()
    ids.update((finding_of[key], pk) for pk, key in inserted)
    return len(inserted)


def _create(
    spec: RuleSpec,
    fresh: list[tuple[Finding, bool]],
    ids: dict[str, int],
    continued: list[tuple[Live, Finding, bool]],
    now: dt.datetime,
) -> int:
    """The new occurrences' alerts, all in one statement (`_insert`). When one of them exists already (a concurrent
    run made it, the unique live key refuses the statement), one at a time: that one is continued instead."""
    if not fresh:
        return 0
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                return _insert(spec, fresh, ids, now)
        except IntegrityError:
            pass  # one at a time below
    new = 0
    for finding, scored in fresh:
        alert = _new_alert(spec, finding, scored, now)
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
            new += 1
            ids[finding.key] = alert.pk
        except IntegrityError:  # a concurrent run made it
            existing = Live(*Alert.objects.values_list(*_LIVE_FIELDS).get(key=alert.key, state__in=LIVE_STATES))
            if existing.state != AlertState.DISMISSED:
                continued.append((existing, finding, scored))
                ids[finding.key] = existing.pk
    return new


def is_scored(go_live: dt.date | None, period_end: dt.date) -> bool:
    """A finding counts (Annex 1, the ladder, credit) when its condition holds on or after the policy's
    go-live date (中山 2019 上线通知 四(四): the trial period is not assessed); a streak crossing it does."""
    return go_live is None or period_end >= go_live


def _occurrence_key(finding: Finding, spec: RuleSpec) -> str:
    return finding.key if spec.occurrence == Occurrence.PERIOD else f"{finding.key}@{finding.period_start}"


def _continuing(spec: RuleSpec, findings: list[Finding], previous_day: Callable[[int], dt.date]) -> dict[str, Live]:
    """The live alert each finding continues: the same key for a period rule; for a day-by-day rule, the
    occurrence of the same condition last seen on the project's previous construction day or later."""
    if not findings:  # most rules find nothing on most nights: no query to build
        return {}
    subject_keys = {f.key for f in findings}
    live = Alert.objects.filter(rule=spec.code, state__in=LIVE_STATES)
    if spec.occurrence == Occurrence.PERIOD:
        rows = live.filter(AnyOf(F("key"), subject_keys)).values_list(*_LIVE_FIELDS)
        return {row.key: row for row in map(Live._make, rows)}
    continuing: dict[str, Live] = {}
    for alert in map(Live._make, live.filter(AnyOf(F("subject_key"), subject_keys)).values_list(*_LIVE_FIELDS)):
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
    continued: list[tuple[Live, Finding, bool]] = []
    fresh: list[tuple[Finding, bool]] = []
    for finding in findings:
        alert = continuing.get(finding.key)
        scored = is_scored(go_live.get(finding.project_id), finding.period_end)
        if alert is None:
            fresh.append((finding, scored))
        elif alert.state != AlertState.DISMISSED:  # a reviewed occurrence stands dismissed while it goes on
            continued.append((alert, finding, scored))
            ids[finding.key] = alert.pk
    new = _create(spec, fresh, ids, continued, now)
    updated = _continue(continued, now)
    resolved = 0
    if resolve and spec.resolves:
        cleared = Alert.objects.filter(
            rule=spec.code, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED], period_end__lt=day
        ).exclude(AnyOf(F("pk"), ids.values()))
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
