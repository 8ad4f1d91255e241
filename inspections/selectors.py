"""Reads of the rules engine: the policy in force, a project's timeline, its monthly presence."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet
from django.utils import timezone

from attendance.models import DailyPresence
from inspections.calendar import Timeline, construction_days, manager_days, month_days
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
    Policy,
    RandomDraw,
)
from inspections.presence import ManagerPresence, Staff, WorkerPresence, manager_presence, worker_presence
from projects.choices import Category, ParticipantRole, ProjectStatus, Role, StatusRequestKind, StatusRequestState
from projects.jurisdiction import projects_for
from projects.models import Engagement, Project, ProjectParticipant, StatusRequest


def alerts_for(user) -> QuerySet[Alert]:
    """The alerts of the user's jurisdiction."""
    return Alert.objects.filter(project__in=projects_for(user)).select_related("project")


def policy_for(*, project: Project) -> Policy:
    """The district's own policy if it has one in force, else the city's."""
    district_policy = Policy.objects.filter(district_id=project.district_id, in_force=True).first()
    return district_policy or Policy.objects.get(district__isnull=True, in_force=True)


def timeline_from(project: Project, approved: list[StatusRequest]) -> Timeline:
    """A project's timeline from its approved suspension and resumption requests (in date order): a
    suspension runs from its date to the next approved resumption, or to its own end date."""
    suspensions, open_start = [], None
    for request in approved:
        if request.kind == StatusRequestKind.SUSPENSION:
            if request.effective_to is not None:
                suspensions.append((request.effective_from, request.effective_to + dt.timedelta(days=1)))
            else:
                open_start = request.effective_from
        elif open_start is not None:
            suspensions.append((open_start, request.effective_from))
            open_start = None
    if open_start is not None:
        suspensions.append((open_start, None))
    return Timeline(
        planned_start=project.planned_start, actual_start=project.actual_start, completed_on=project.completed_on,
        attendance_stopped_on=project.attendance_stopped_on, suspensions=tuple(suspensions),
    )  # fmt: skip


def project_timeline(*, project: Project) -> Timeline:
    approved = StatusRequest.objects.filter(
        project=project,
        state=StatusRequestState.APPROVED,
        kind__in=[StatusRequestKind.SUSPENSION, StatusRequestKind.RESUMPTION],
    ).order_by("effective_from", "id")
    return timeline_from(project, list(approved))


@dataclass(frozen=True)
class ProjectPresence:
    project: Project
    month: dt.date
    construction_days: int
    managers: list[ManagerPresence]
    workers: WorkerPresence


def project_presence(*, project: Project, month: dt.date, today: dt.date | None = None) -> ProjectPresence:
    """The month's presence (to date for the running month): two queries, however many people."""
    policy = policy_for(project=project)
    today = today or timezone.localdate()
    days = month_days(month, until=today)
    timeline = project_timeline(project=project)
    built = construction_days(timeline, days, count_sundays=policy.count_sundays, count_holidays=policy.count_holidays)
    first, last = (days[0], days[-1]) if days else (month, month)
    engagements = list(
        Engagement.objects.filter(project=project, entered_on__lte=last)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=first))
        .values("id", "person_id", "category", "position", "entered_on", "exited_on", "person__name",
                "person__id_number_masked")
        .order_by("category", "position", "id")
    )  # fmt: skip
    attended: dict[int, set[dt.date]] = defaultdict(set)
    counted = "photo_count" if policy.valid_requires_photo else "valid_count"
    valid_days = DailyPresence.objects.filter(
        project=project, day__gte=first, day__lte=last, **{f"{counted}__gte": policy.valid_min_punches}
    )
    if policy.valid_min_span_hours:
        span = dt.timedelta(hours=float(policy.valid_min_span_hours))
        valid_days = valid_days.filter(last_valid_at__gte=F("first_valid_at") + span)
    for person_id, day in valid_days.values_list("person_id", "day"):
        attended[person_id].add(day)

    def staff(row: dict) -> Staff:
        return Staff(
            engagement=row["id"], name=row["person__name"], id_number=row["person__id_number_masked"],
            position=row["position"], entered_on=row["entered_on"], exited_on=row["exited_on"],
            attended=frozenset(attended.get(row["person_id"], ())),
        )  # fmt: skip

    held = manager_days(timeline, built, grace_days=policy.manager_grace_days)
    managers = [
        manager_presence(
            staff(row),
            held,
            key_positions=policy.r11_key_positions,
            key_ratio=policy.r11_key_ratio,
            other_ratio=policy.r11_other_ratio,
        )  # fmt: skip
        for row in engagements
        if row["category"] == Category.MANAGER
    ]
    workers = worker_presence(
        [staff(row) for row in engagements if row["category"] == Category.WORKER], built,
        threshold=policy.r16_worker_rate,
    )  # fmt: skip
    return ProjectPresence(project=project, month=month, construction_days=len(built), managers=managers,
                           workers=workers)  # fmt: skip


# --- Enforcement (查处) ---------------------------------------------------------------------------


def is_staff_for(user, project: Project) -> bool:
    """Regulators of the project's jurisdiction: the city, or the staff of its district."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role == Role.CITY or (user.role == Role.DISTRICT and user.district_id == project.district_id)


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
    """Regulators see their jurisdiction's inspections; the enterprises of a project see its own."""
    if user.is_authenticated and user.role == Role.VENDOR:
        return Inspection.objects.none()
    return Inspection.objects.filter(project__in=projects_for(user)).select_related("project")


def cases_for(user) -> QuerySet[Case]:
    """Regulators: their jurisdiction. The contractor and supervision firm of a project: its cases.
    An enterprise or vendor: the cases with a measure addressed to it."""
    qs = Case.objects.select_related("project", "project__district")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in (Role.CITY, Role.DISTRICT):
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
    if not user.is_authenticated or user.role not in (Role.CITY, Role.DISTRICT):
        qs = qs.exclude(state=MeasureState.PROPOSED)
    return qs


def campaigns_for(user) -> QuerySet[Campaign]:
    """The city: every campaign; district staff: those their district takes part in."""
    qs = Campaign.objects.all()
    role = getattr(user, "role", None)
    if role == Role.CITY:
        return qs
    return qs.filter(districts=user.district_id) if role == Role.DISTRICT else qs.none()


def draws_for(user) -> QuerySet[RandomDraw]:
    """The city: every random draw; district staff: their district's."""
    qs = RandomDraw.objects.all()
    role = getattr(user, "role", None)
    if role == Role.CITY:
        return qs
    return qs.filter(district_id=user.district_id) if role == Role.DISTRICT else qs.none()


def credit_records_for(user) -> QuerySet[CreditRecord]:
    """The city: all; district staff: those their district's measures left; an enterprise: its own."""
    qs = CreditRecord.objects.all()
    role = getattr(user, "role", None)
    if role == Role.CITY:
        return qs
    if role == Role.DISTRICT:
        return qs.filter(measure__case__project__district_id=user.district_id)
    return qs.filter(enterprise_id=user.enterprise_id) if role in (Role.ENTERPRISE, Role.VENDOR) else qs.none()


def attended_workers(*, project_ids, day: dt.date) -> dict[int, int]:
    """Distinct workers with a valid day of attendance, per project, on `day` (one grouped query)."""
    rows = (
        DailyPresence.objects.filter(project_id__in=project_ids, day=day, valid_count__gte=1)
        .filter(
            person_id__in=Engagement.objects.filter(project_id=OuterRef("project_id"), category=Category.WORKER).values(
                "person_id"
            )
        )
        .values("project_id")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {row["project_id"]: row["n"] for row in rows}


def projects_active_between(start: dt.date, end: dt.date) -> QuerySet[Project]:
    """在建项目: started on or before `end`, not completed or stopped before `start` (a suspension
    does not make a project any less under construction)."""
    return (
        Project.objects.exclude(status=ProjectStatus.NOT_STARTED)
        .filter(actual_start__isnull=False, actual_start__lte=end)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=start))
        .filter(Q(attendance_stopped_on__isnull=True) | Q(attendance_stopped_on__gte=start))
    )


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
        end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        cutoff = min(end, today)
        lost = sum(p for day, p in deductions if day <= cutoff)
        points.append(CreditPoint(month.strftime("%Y-%m"), max(CREDIT_FULL_SCORE - lost, 0)))
        month = (month - dt.timedelta(days=1)).replace(day=1)
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
    districts = campaign.districts.all()
    if user.role == Role.DISTRICT:
        districts = districts.filter(pk=user.district_id)
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
