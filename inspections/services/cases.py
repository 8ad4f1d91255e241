"""查处: cases (opening from alerts and inspection findings, attaching more, closing).

Every change is a conditional update on the state it expects (two staff, or staff and the nightly
task, never both win) and leaves a CaseEvent with who and when. Measures, replies and the nightly
escalation are their own modules beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import ANSWERABLE, CaseState, MeasureState
from inspections.models import Alert, AlertState, Case, InspectionFinding
from inspections.services.casework import case_event, require_open
from projects.models import Project, User
from projects.scope import scope_of
from smz_platform.common.errors import Conflict


def _gather(case: Case, *, alert_ids: list[int], finding_ids: list[int]) -> tuple[list[Alert], list[InspectionFinding]]:
    alerts = list(Alert.objects.filter(pk__in=alert_ids, project=case.project))
    if len(alerts) != len(set(alert_ids)):
        raise ValidationError({"alerts": [_("Every alert must be one of this project's.")]})
    if any(a.state == AlertState.DISMISSED for a in alerts):
        raise ValidationError({"alerts": [_("A dismissed alert is not a finding; it cannot join a case.")]})
    findings = list(InspectionFinding.objects.filter(pk__in=finding_ids, inspection__project=case.project))
    if len(findings) != len(set(finding_ids)):
        raise ValidationError({"findings": [_("Every finding must come from an inspection of this project.")]})
    if any(f.case_id not in (None, case.pk) for f in findings):
        raise ValidationError({"findings": [_("A finding belongs to one case only.")]})
    return alerts, findings


def case_open(
    *, user: User, project: Project, title: str, alert_ids: Sequence[int] = (), finding_ids: Sequence[int] = ()
) -> Case:
    scope_of(user).authorize(project, "enforce")
    if not title.strip():
        raise ValidationError({"title": [_("Give the case a title.")]})
    with transaction.atomic():
        case = Case.objects.create(project=project, title=title.strip()[:200], opened_by=user, opened_at=timezone.now())
        alerts, findings = _gather(case, alert_ids=list(alert_ids), finding_ids=list(finding_ids))
        case.alerts.add(*alerts)
        InspectionFinding.objects.filter(pk__in=[f.pk for f in findings]).update(case=case)
        case_event(
            case,
            "opened",
            by=user,
            note=_("%(alerts)d alerts, %(findings)d inspection findings")
            % {"alerts": len(alerts), "findings": len(findings)},
        )
    return case


def case_attach(*, user: User, case: Case, alert_ids: Sequence[int] = (), finding_ids: Sequence[int] = ()) -> Case:
    scope_of(user).authorize(case, "handle")
    require_open(case)
    with transaction.atomic():
        alerts, findings = _gather(case, alert_ids=list(alert_ids), finding_ids=list(finding_ids))
        case.alerts.add(*alerts)
        InspectionFinding.objects.filter(pk__in=[f.pk for f in findings]).update(case=case)
        case_event(
            case,
            "attached",
            by=user,
            note=_("%(alerts)d alerts, %(findings)d inspection findings")
            % {"alerts": len(alerts), "findings": len(findings)},
        )
    return case


def case_close(*, user: User, case: Case, note: str) -> Case:
    scope_of(user).authorize(case, "handle")
    if not note.strip():
        raise ValidationError({"note": [_("Say how the case ends.")]})
    pending = case.measures.filter(state__in=[MeasureState.PROPOSED, MeasureState.ANSWERED]).exists() or (
        case.measures.filter(kind__in=ANSWERABLE, state=MeasureState.ISSUED).exists()
    )
    if pending:
        raise Conflict("state", _("Orders of this case are still running or proposals await a decision."))
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, state=CaseState.OPEN).update(
            state=CaseState.CLOSED, closed_by=user, closed_at=timezone.now(), closing_note=note.strip()
        )
        if updated != 1:
            raise Conflict("state", _("The case is closed."))
        case_event(case, "closed", by=user, note=note.strip())
    case.refresh_from_db()
    return case
