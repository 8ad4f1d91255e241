"""The escalation ladder, nightly (吉建管〔2021〕6号 附件1, item by item and position by position): an
order past its deadline whose subject still fails gets the next measures of its rule's ladder proposed
(staff confirm them); one whose subject no longer fails closes.

"Still failing" is judged on the same subject (the device, the project, the manager's position the
order was about) over the first whole period after the deadline: the next day for a rule judged
nightly, the first whole month after it for a month's presence; and only once the nightly run has
judged that period (its run record complete), so an order is never closed on days nobody judged yet.
Only scored findings count (the trial period is not assessed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import ladder
from inspections.choices import ANSWERABLE, MeasureKind, MeasureState
from inspections.models import Alert, AlertState, InspectionFinding, Measure, NightlyRun, RunState
from inspections.rules import rule
from inspections.rules.base import Cadence, Step, Target
from inspections.selectors.enforcement import overdue_q
from inspections.services.casework import bureau_name, case_event, contractor_of, project_manager_of
from projects.models import Engagement
from smz_platform.common.dates import chinese_date
from smz_platform.common.months import month_end, month_start, next_month

DEFAULT_RECTIFICATION_DAYS = 7


def period_after(basis: str, deadline: dt.date) -> tuple[dt.date, dt.date]:
    """The first whole period after the deadline in which the rule judges the subject again."""
    after = deadline + dt.timedelta(days=1)
    if rule(basis).cadence != Cadence.MONTH_END:
        return after, after
    month = month_start(after) if after.day == 1 else next_month(after)
    return month, month_end(month)


def _judged(period: tuple[dt.date, dt.date]) -> bool:
    """The nightly run has judged the period's last day to its end."""
    return NightlyRun.objects.filter(day=period[1], part="", state=RunState.COMPLETE).exists()


@dataclass(frozen=True)
class Subject:
    """What an order was about: a condition of its case's findings (subject_key) and, for a manager, the
    position; empty for an order about the project as a whole (an inspection's finding)."""

    key: str
    subject_type: str
    subject_id: int | None
    position: str
    engagement_id: int | None


def _subjects(measure: Measure) -> list[Subject]:
    alerts = measure.case.alerts.filter(rule=measure.basis).exclude(state=AlertState.DISMISSED)
    subjects = {}
    for a in alerts:
        key = f"{a.subject_type}:{a.subject_code}" if a.subject_type == "engagement" else a.subject_key
        subjects[key] = Subject(
            key, a.subject_type, a.subject_id, a.subject_code, a.subject_id if a.subject_type == "engagement" else None
        )
    return list(subjects.values()) or [Subject("", "", None, "", None)]


def still_fails(*, measure: Measure, subject: Subject, period: tuple[dt.date, dt.date]) -> bool:
    """A scored finding of the order's rule about the same subject in the period after the deadline (a
    manager's: the same position), or, for an order about the project, an inspection finding then."""
    project_id = measure.case.project_id
    alerts = Alert.objects.filter(
        project_id=project_id, rule=measure.basis, scored=True, period_end__gte=period[0], period_start__lte=period[1]
    ).exclude(state=AlertState.DISMISSED)
    if subject.subject_type == "engagement":
        alerts = alerts.filter(subject_code=subject.position)
    elif subject.key:
        alerts = alerts.filter(subject_type=subject.subject_type, subject_id=subject.subject_id)
    if alerts.exists():
        return True
    return InspectionFinding.objects.filter(
        inspection__project_id=project_id,
        category=measure.basis,
        inspection__day__gt=measure.deadline,
        inspection__day__lte=period[1],
    ).exists()


@dataclass(frozen=True)
class EscalationCounts:
    escalated: int = 0
    closed: int = 0
    proposed: int = 0
    waiting: int = 0


def _close(measure: Measure, now: dt.datetime) -> int:
    if (
        Measure.objects.filter(pk=measure.pk, state=MeasureState.ISSUED).update(
            state=MeasureState.CLOSED, closed_at=now
        )
        != 1
    ):
        return 0
    case_event(
        measure.case,
        "measure_closed",
        by=None,
        measure=measure,
        note=_("%(rule)s no longer fires after the deadline.") % {"rule": measure.basis},
    )
    return 1


def _escalate(measure: Measure, failing: list[Subject], today: dt.date, now: dt.datetime) -> int | None:
    """Mark the order escalated and propose each failing subject's next measures (None: moved by staff)."""
    if Measure.objects.filter(pk=measure.pk, state=MeasureState.ISSUED).update(state=MeasureState.ESCALATED) != 1:
        return None  # staff or a concurrent run moved it first
    case_event(
        measure.case,
        "measure_escalated",
        by=None,
        measure=measure,
        note=_("%(rule)s still fires after the deadline %(deadline)s.")
        % {"rule": measure.basis, "deadline": chinese_date(measure.deadline)},
    )
    proposed = 0
    for subject in failing:
        for step in ladder.next_steps(kind=measure.kind, basis=measure.basis, position=subject.position):
            proposed += _propose(measure, step, subject, today=today, now=now)
    return proposed


def measures_escalate(*, today: dt.date) -> EscalationCounts:
    """For every order past its deadline and not answered: once the period after its deadline is judged,
    propose the next measures for each subject that still fails, or close the order if none does."""
    escalated = closed = proposed = waiting = 0
    overdue = Measure.objects.filter(overdue_q(today), kind__in=ANSWERABLE).select_related(
        "case", "case__project", "case__project__district"
    )
    for measure in overdue:
        if not measure.basis:
            waiting += 1  # nothing to judge by: staff decide
            continue
        period = period_after(measure.basis, measure.deadline)
        if not _judged(period):
            waiting += 1
            continue
        now = timezone.now()
        failing = [s for s in _subjects(measure) if still_fails(measure=measure, subject=s, period=period)]
        with transaction.atomic():
            if not failing:
                closed += _close(measure, now)
                continue
            count = _escalate(measure, failing, today, now)
            if count is not None:
                escalated += 1
                proposed += count
    return EscalationCounts(escalated=escalated, closed=closed, proposed=proposed, waiting=waiting)


def _targets(step: Step, project, subject: Subject) -> dict:
    """Whom the step's measure falls on, as the checklist names them: the contractor, the project
    manager, the person the finding is about (a chief supervisor) and that person's employer."""
    fields: dict[str, Any] = {}
    engagement = (
        Engagement.objects.select_related("person", "employer").filter(pk=subject.engagement_id).first()
        if subject.engagement_id
        else None
    )
    if Target.CONTRACTOR in step.targets:
        fields["target_enterprise"] = contractor_of(project)
    if Target.SUBJECT_EMPLOYER in step.targets and engagement is not None:
        fields["target_enterprise"] = engagement.employer
    if Target.PROJECT_MANAGER in step.targets:
        fields["target_person"] = project_manager_of(project)
    if Target.SUBJECT in step.targets and engagement is not None:
        fields["target_person"] = engagement.person
    return fields


def _propose(source: Measure, step: Step, subject: Subject, *, today: dt.date, now: dt.datetime) -> int:
    project = source.case.project
    kind = step.kind
    fields = {"issuing_body": bureau_name(project), **_targets(step, project, subject)}
    if kind == MeasureKind.PENALTY:
        fields["fine_yuan"] = Decimal(ladder.ARTICLE_55_MIN_FINE)
    if kind == MeasureKind.RECTIFICATION:
        fields["deadline"] = today + dt.timedelta(days=DEFAULT_RECTIFICATION_DAYS)
    try:
        with transaction.atomic():
            proposal = Measure.objects.create(
                case=source.case,
                kind=kind,
                state=MeasureState.PROPOSED,
                basis=source.basis,
                escalated_from=source,
                ladder_subject=subject.key[:200],
                created_at=now,
                note=_("Proposed by the escalation: %(kind)s overdue since %(deadline)s.")
                % {"kind": source.get_kind_display(), "deadline": chinese_date(source.deadline)},
                **fields,
            )
    except IntegrityError:
        return 0  # proposed by an earlier run (one proposal per overdue order, kind and subject)
    case_event(source.case, "measure_proposed", by=None, measure=proposal, note=proposal.get_kind_display())
    return 1
