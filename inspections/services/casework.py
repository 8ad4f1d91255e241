"""What the case services share: the case history, the issuing body, and the conditional move of a
measure from one state to the next (who may handle a case is the one scope's: projects.scope)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import CaseState
from inspections.models import Case, CaseEvent, Measure
from projects.choices import Category, ParticipantRole
from projects.models import Engagement, Enterprise, Person, Project, User
from smz_platform.common.errors import Conflict


def case_event(case: Case, action: str, *, by: User | None, measure: Measure | None = None, note: str = "") -> None:
    CaseEvent.objects.create(case=case, measure=measure, action=action, note=note, by=by, at=timezone.now())


def require_open(case: Case) -> None:
    if case.state != CaseState.OPEN:
        raise Conflict("state", _("The case is closed."))


def bureau_name(project: Project) -> str:
    """The issuing body of the district's measures: 海曙区住房和城乡建设局."""
    return f"{project.district.name}住房和城乡建设局"


def contractor_of(project: Project) -> Enterprise | None:
    return (
        Enterprise.objects.filter(participations__project=project, participations__role=ParticipantRole.CONTRACTOR)
        .order_by("pk")
        .first()
    )


def project_manager_of(project: Project) -> Person | None:
    engagement = (
        Engagement.objects.filter(
            project=project, category=Category.MANAGER, position="project_manager", exited_on__isnull=True
        )
        .select_related("person")
        .order_by("entered_on", "pk")
        .first()
    )
    return engagement.person if engagement else None


def measure_move(measure: Measure, expected, **fields) -> None:
    expected = [expected] if isinstance(expected, str) else list(expected)
    if Measure.objects.filter(pk=measure.pk, state__in=expected).update(**fields) != 1:
        raise Conflict(
            "state",
            _("The measure has already moved on (now: %(state)s).")
            % {"state": Measure.objects.get(pk=measure.pk).get_state_display()},
        )
    measure.refresh_from_db()
