"""Reads of enforcement (查处): who handles a project's cases, and every enforcement record cut to the
user's jurisdiction; open findings, credit over time and a campaign's progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from inspections.choices import CaseState, InspectionKind, MeasureState
from inspections.models import (
    Alert,
    AlertState,
    Campaign,
    Case,
    CreditRecord,
    Inspection,
    InspectionFinding,
    Measure,
    RandomDraw,
)
from inspections.selectors.timelines import projects_active_between
from projects.choices import ParticipantRole, Role
from projects.jurisdiction import ABOVE_DISTRICT, REGULATORS, city_governs, districts_for, projects_for
from projects.models import Project, ProjectParticipant
from smz_platform.common.months import month_end, previous_month


def alerts_for(user) -> QuerySet[Alert]:
    """Regulators: their jurisdiction's alerts. The general contractor and the supervision firm of a
    project (who answer for its compliance, and receive its cases): its alerts. Nobody else: an alert's
    subject and evidence name managers and workers (the people scope)."""
    return Alert.objects.filter(project_id__in=_answerable_projects(user)).select_related("project")


def is_staff_for(user, project: Project) -> bool:
    """Regulators who act on the project: its city, or the staff of its district (the province reads)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return city_governs(user, project.district_id) or (
        user.role == Role.DISTRICT and user.district_id == project.district_id)  # fmt: skip


def _takes_part_as(user, project: Project, role: str) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.ENTERPRISE
        and ProjectParticipant.objects.filter(project=project, enterprise_id=user.enterprise_id, role=role).exists()
    )


def is_supervisor_of(user, project: Project) -> bool:
    return _takes_part_as(user, project, ParticipantRole.SUPERVISOR)


def is_contractor_of(user, project: Project) -> bool:
    return _takes_part_as(user, project, ParticipantRole.CONTRACTOR)


def inspections_for(user) -> QuerySet[Inspection]:
    """Regulators see their jurisdiction's inspections; the general contractor and the supervision firm
    of a project (who answer for it) its own. Findings name managers and workers: nobody else."""
    return Inspection.objects.filter(project_id__in=_answerable_projects(user)).select_related("project")


def _answerable_projects(user):
    """The projects whose compliance records the user reads: its jurisdiction for a regulator, those it
    takes part in as general contractor or supervision firm for an enterprise, none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none().values("pk")
    if user.role in REGULATORS:
        return projects_for(user).values("pk")
    if user.role != Role.ENTERPRISE:
        return Project.objects.none().values("pk")
    return ProjectParticipant.objects.filter(
        enterprise_id=user.enterprise_id, role__in=[ParticipantRole.CONTRACTOR, ParticipantRole.SUPERVISOR]
    ).values("project_id")


def cases_for(user) -> QuerySet[Case]:
    """Regulators: their jurisdiction. The contractor and supervision firm of a project: its cases.
    An enterprise or vendor: the cases with a measure addressed to it."""
    qs = Case.objects.select_related("project", "project__district")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in REGULATORS:
        return qs.filter(project__in=projects_for(user))
    involved = ProjectParticipant.objects.filter(
        enterprise_id=user.enterprise_id, role__in=[ParticipantRole.CONTRACTOR, ParticipantRole.SUPERVISOR]
    ).values("project_id")
    addressed = Measure.objects.filter(target_enterprise_id=user.enterprise_id).values("case_id")
    return qs.filter(Q(project_id__in=involved) | Q(id__in=addressed)).distinct()


def measures_for(user) -> QuerySet[Measure]:
    """The measures of the user's cases; proposals of the escalation are the regulators' own business."""
    qs = Measure.objects.filter(case__in=cases_for(user)).select_related(
        "case", "case__project", "target_enterprise", "target_person"
    )
    if not user.is_authenticated or user.role not in REGULATORS:
        qs = qs.exclude(state=MeasureState.PROPOSED)
    return qs


def campaigns_for(user) -> QuerySet[Campaign]:
    """The province and the city: the campaigns of their districts; district staff: those their district
    takes part in."""
    qs = Campaign.objects.all()
    role = getattr(user, "role", None)
    if role in ABOVE_DISTRICT:
        return qs.filter(districts__in=districts_for(user)).distinct()
    return qs.filter(districts=user.district_id) if role == Role.DISTRICT else qs.none()


def draws_for(user) -> QuerySet[RandomDraw]:
    """The province and the city: their districts' random draws; district staff: their district's."""
    qs = RandomDraw.objects.all()
    role = getattr(user, "role", None)
    if role in ABOVE_DISTRICT:
        return qs.filter(district__in=districts_for(user))
    return qs.filter(district_id=user.district_id) if role == Role.DISTRICT else qs.none()


def credit_records_for(user) -> QuerySet[CreditRecord]:
    """The province and the city: those their districts' measures left; district staff: their district's;
    an enterprise: its own."""
    qs = CreditRecord.objects.all()
    role = getattr(user, "role", None)
    if role in ABOVE_DISTRICT:
        return qs.filter(measure__case__project__in=projects_for(user))
    if role == Role.DISTRICT:
        return qs.filter(measure__case__project__district_id=user.district_id)
    return qs.filter(enterprise_id=user.enterprise_id) if role in (Role.ENTERPRISE, Role.VENDOR) else qs.none()


def open_findings_by_project(project_ids) -> dict[int, int]:
    """Alerts still open or acknowledged, and inspection findings not yet closed, per project."""
    counts = defaultdict(int)
    for row in (
        Alert.objects.filter(project_id__in=project_ids, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED])
        .values("project_id")
        .annotate(n=Count("id"))
    ):
        counts[row["project_id"]] += row["n"]
    for row in (
        InspectionFinding.objects.filter(inspection__project_id__in=project_ids)
        .exclude(case__state=CaseState.CLOSED)
        .values("inspection__project_id")
        .annotate(n=Count("id"))
    ):
        counts[row["inspection__project_id"]] += row["n"]
    return dict(counts)


@dataclass(frozen=True)
class CreditPoint:
    month: str
    score: int


CREDIT_FULL_SCORE = 100


def credit_history(
    *, enterprise=None, person=None, months: int = 12, today: dt.date | None = None
) -> list[CreditPoint]:
    """The credit score at the end of each of the last `months` months: full marks less every scored
    deduction up to then (the scores over time of enterprises and key persons)."""
    today = today or timezone.localdate()
    records = CreditRecord.objects.filter(scored=True)
    records = records.filter(enterprise=enterprise) if enterprise is not None else records.filter(person=person)
    deductions = sorted(records.values_list("day", "points"))
    points = []
    month = today.replace(day=1)
    for _ in range(months):
        cutoff = min(month_end(month), today)
        lost = sum(p for day, p in deductions if day <= cutoff)
        points.append(CreditPoint(month.strftime("%Y-%m"), max(CREDIT_FULL_SCORE - lost, 0)))
        month = previous_month(month)
    return list(reversed(points))


@dataclass(frozen=True)
class CampaignProgress:
    district: str
    district_name: str
    active_projects: int
    inspected_projects: int

    @property
    def ratio(self) -> float | None:
        return round(self.inspected_projects / self.active_projects, 3) if self.active_projects else None


def campaign_progress(*, campaign: Campaign, user) -> list[CampaignProgress]:
    """Per district taking part (of the user's jurisdiction): projects inspected by regulators during
    the campaign over the projects under construction in its period."""
    districts = campaign.districts.filter(pk__in=districts_for(user))
    active = dict(
        projects_active_between(campaign.starts_on, campaign.ends_on)
        .filter(district__in=districts).values("district_id").annotate(n=Count("id")).values_list("district_id", "n")
    )  # fmt: skip
    inspected = dict(
        Inspection.objects.filter(
            project__district__in=districts, day__gte=campaign.starts_on, day__lte=campaign.ends_on,
            kind__in=[InspectionKind.ONLINE_PATROL, InspectionKind.SITE_VISIT],
            project__in=projects_active_between(campaign.starts_on, campaign.ends_on),
        )
        .values("project__district_id").annotate(n=Count("project_id", distinct=True))
        .values_list("project__district_id", "n")
    )  # fmt: skip
    return [
        CampaignProgress(d.code, d.name, active.get(d.pk, 0), inspected.get(d.pk, 0))
        for d in districts.order_by("code")
    ]
