"""The escalation ladder, nightly: an order past its deadline whose subject still fails gets the next
measures of its rule's ladder proposed (staff confirm them); one whose subject no longer fails closes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import ladder
from inspections.choices import ANSWERABLE, MeasureKind, MeasureState
from inspections.models import Alert, AlertState, InspectionFinding, Measure
from inspections.rules import rule
from inspections.rules.base import Cadence, Step, Target
from inspections.services.casework import bureau_name, case_event, contractor_of, project_manager_of
from smz_platform.common.months import month_end

DEFAULT_RECTIFICATION_DAYS = 7


def still_fires(*, project_id: int, basis: str, deadline: dt.date) -> bool:
    """The rule that caused an order fired after its deadline: an alert (not dismissed) whose period
    reaches past the deadline, or an inspection after the deadline finding the same category."""
    alert = (
        Alert.objects.filter(project_id=project_id, rule=basis, period_end__gt=deadline)
        .exclude(state=AlertState.DISMISSED)
        .exists()
    )
    return (
        alert
        or InspectionFinding.objects.filter(
            inspection__project_id=project_id, category=basis, inspection__day__gt=deadline
        ).exists()
    )


def _judged(basis: str, deadline: dt.date, today: dt.date) -> bool:
    """Whether the days after the deadline have been judged: a month-end rule waits for its month's end."""
    if rule(basis).cadence != Cadence.MONTH_END:
        return True
    return today > month_end(deadline + dt.timedelta(days=1))


@dataclass(frozen=True)
class EscalationCounts:
    escalated: int = 0
    closed: int = 0
    proposed: int = 0
    waiting: int = 0


def measures_escalate(*, today: dt.date) -> EscalationCounts:
    """For every order past its deadline and not answered: if its rule still fires, propose the next
    measures of the ladder (staff confirm them); if the rule stopped firing, the order is complied with."""
    escalated = closed = proposed = waiting = 0
    overdue = Measure.objects.filter(kind__in=ANSWERABLE, state=MeasureState.ISSUED, deadline__lt=today).select_related(
        "case", "case__project", "case__project__district"
    )
    for measure in overdue:
        project = measure.case.project
        if not measure.basis:
            waiting += 1  # nothing to judge by: staff decide
            continue
        if not _judged(measure.basis, measure.deadline, today):
            waiting += 1
            continue
        now = timezone.now()
        with transaction.atomic():
            if not still_fires(project_id=project.pk, basis=measure.basis, deadline=measure.deadline):
                if (
                    Measure.objects.filter(pk=measure.pk, state=MeasureState.ISSUED).update(
                        state=MeasureState.CLOSED, closed_at=now
                    )
                    == 1
                ):
                    case_event(
                        measure.case,
                        "measure_closed",
                        by=None,
                        measure=measure,
                        note=_("%(rule)s no longer fires after the deadline.") % {"rule": measure.basis},
                    )
                    closed += 1
                continue
            if (
                Measure.objects.filter(pk=measure.pk, state=MeasureState.ISSUED).update(state=MeasureState.ESCALATED)
                != 1
            ):
                continue  # staff or a concurrent run moved it first
            escalated += 1
            case_event(
                measure.case,
                "measure_escalated",
                by=None,
                measure=measure,
                note=_("%(rule)s still fires after the deadline %(deadline)s.")
                % {"rule": measure.basis, "deadline": measure.deadline.isoformat()},
            )
            for step in ladder.next_steps(kind=measure.kind, basis=measure.basis):
                proposed += _propose(measure, step, today=today, now=now)
    return EscalationCounts(escalated=escalated, closed=closed, proposed=proposed, waiting=waiting)


def _targets(step: Step, project) -> dict:
    """Whom the step's measure falls on: an enterprise and a person, as the checklist names them."""
    fields = {}
    if Target.CONTRACTOR in step.targets:
        fields["target_enterprise"] = contractor_of(project)
    if Target.PROJECT_MANAGER in step.targets:
        fields["target_person"] = project_manager_of(project)
    return fields


def _propose(source: Measure, step: Step, *, today: dt.date, now: dt.datetime) -> int:
    project = source.case.project
    kind = step.kind
    fields = {"issuing_body": bureau_name(project), **_targets(step, project)}
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
                created_at=now,
                note=_("Proposed by the escalation: %(kind)s overdue since %(deadline)s.")
                % {"kind": source.get_kind_display(), "deadline": source.deadline.isoformat()},
                **fields,
            )
    except IntegrityError:
        return 0  # proposed by an earlier run (one proposal per overdue order and kind)
    case_event(source.case, "measure_proposed", by=None, measure=proposal, note=proposal.get_kind_display())
    return 1
