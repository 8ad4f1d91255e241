"""Who may read and write what (杭建市发〔2016〕39号 四). Every queryset of the platform goes through here.

- provincial regulator: every project of the cities of its province, to read (it writes nothing);
- city regulator: the projects of its city (an account without a city: every city, as in a one-city
  deployment and for the platform's operator);
- district staff: the projects of their district;
- enterprise user: the projects its enterprise takes part in; as the general contractor it manages
  the whole project, otherwise only its own staff;
- vendor: the projects it serves and the devices it operates.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from projects.choices import ParticipantRole, RegionLevel, Role
from projects.models import (
    Engagement,
    Enterprise,
    IdentityConflict,
    Project,
    ProjectParticipant,
    ProjectStatusChange,
    Region,
    StatusRequest,
    User,
)

ABOVE_DISTRICT = (Role.PROVINCE, Role.CITY)
REGULATORS = (Role.PROVINCE, Role.CITY, Role.DISTRICT)


def region_q(user: User, prefix: str = "") -> Q:
    """The projects (reached through `prefix`, e.g. "project__") of a province's or a city's account:
    districts are a city's children, cities a province's."""
    if user.role == Role.PROVINCE:
        return Q(**{f"{prefix}district__parent__parent_id": user.region_id})
    if user.role == Role.CITY and user.region_id is not None:
        return Q(**{f"{prefix}district__parent_id": user.region_id})
    return Q()


def city_governs(user: User, district_id: int) -> bool:
    """A city account's power over a district: its city's districts (every one without a city)."""
    if user.role != Role.CITY:
        return False
    return user.region_id is None or Region.objects.filter(pk=district_id, parent_id=user.region_id).exists()


def districts_for(user: User) -> QuerySet[Region]:
    """The districts a regulator reaches: a province's cities', a city's (every one for a city account
    without a city), a district's own; none for anyone else."""
    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    if not is_regulator(user):
        return districts.none()
    if user.role == Role.PROVINCE:
        return districts.filter(parent__parent_id=user.region_id)
    if user.role == Role.CITY:
        return districts if user.region_id is None else districts.filter(parent_id=user.region_id)
    return districts.filter(pk=user.district_id)


def is_regulator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) in REGULATORS)


def _participations(user: User, *roles: str) -> QuerySet[ProjectParticipant]:
    qs = ProjectParticipant.objects.filter(enterprise_id=user.enterprise_id)
    return qs.filter(role__in=roles) if roles else qs


def projects_for(user: User) -> QuerySet[Project]:
    qs = Project.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in ABOVE_DISTRICT:
        return qs.filter(region_q(user))
    if user.role == Role.DISTRICT:
        return qs.filter(district_id=user.district_id)
    return qs.filter(id__in=_participations(user).values("project_id"))


def contractor_projects_for(user: User) -> QuerySet[Project]:
    """Projects whose whole registry the user manages: its city's for the city, its own as the contractor
    (the province reads, it does not manage)."""
    qs = Project.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.CITY:
        return qs.filter(region_q(user))
    if user.role == Role.ENTERPRISE:
        return qs.filter(id__in=_participations(user, ParticipantRole.CONTRACTOR).values("project_id"))
    return qs.none()


def engagements_for(user: User) -> QuerySet[Engagement]:
    qs = Engagement.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in ABOVE_DISTRICT:
        return qs.filter(region_q(user, "project__"))
    if user.role == Role.DISTRICT:
        return qs.filter(project__district_id=user.district_id)
    if user.role == Role.ENTERPRISE:
        managed = _participations(user, ParticipantRole.CONTRACTOR).values("project_id")
        own_staff = Q(employer_id=user.enterprise_id, project_id__in=_participations(user).values("project_id"))
        return qs.filter(Q(project_id__in=managed) | own_staff)
    return qs.none()


def people_q(user: User, *, project: str = "project", person: str = "person") -> Q:
    """The people scope for any row that names a project and a person (punches, presence, calendar rows):
    as engagements_for — the city all, district staff their district, a general contractor its whole
    projects, any other enterprise only the people it employs there, a vendor nobody (its devices are
    its business, the workers are not). A row without a person (an unregistered punch) belongs to
    those who see the whole project."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in ABOVE_DISTRICT:
        return region_q(user, f"{project}__")
    if user.role == Role.DISTRICT:
        return Q(**{f"{project}__district_id": user.district_id})
    if user.role == Role.ENTERPRISE:
        managed = _participations(user, ParticipantRole.CONTRACTOR).values("project_id")
        employs = Engagement.objects.filter(
            employer_id=user.enterprise_id, project_id=OuterRef(f"{project}_id"), person_id=OuterRef(f"{person}_id")
        )
        return Q(**{f"{project}_id__in": managed}) | Q(Exists(employs))
    return Q(pk__in=[])


def sees_whole_project(user: User, project: Project) -> bool:
    """Whether the user's people scope covers everybody on the project (regulators, its contractor)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role in ABOVE_DISTRICT:
        return projects_for(user).filter(pk=project.pk).exists()
    if user.role == Role.DISTRICT:
        return user.district_id == project.district_id
    return can_manage_project(user, project)


def enterprises_for(user: User) -> QuerySet[Enterprise]:
    """Enterprises taking part in the user's projects, its own, and those it registered; every one for
    the province and the city (an enterprise is registered once, for every city it works in)."""
    qs = Enterprise.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in ABOVE_DISTRICT:
        return qs
    visible = ProjectParticipant.objects.filter(project__in=projects_for(user)).values("enterprise_id")
    condition = Q(id__in=visible) | Q(created_by_id=user.pk)
    if user.enterprise_id:
        condition |= Q(id=user.enterprise_id)
    if user.role == Role.DISTRICT:
        condition |= Q(created_by__district_id=user.district_id)
    return qs.filter(condition)


def status_requests_for(user: User) -> QuerySet[StatusRequest]:
    if user.is_authenticated and user.role == Role.VENDOR:
        return StatusRequest.objects.none()
    return StatusRequest.objects.filter(project__in=projects_for(user))


def status_changes_for(user: User) -> QuerySet[ProjectStatusChange]:
    return ProjectStatusChange.objects.filter(project__in=projects_for(user))


def can_manage_project(user: User, project: Project) -> bool:
    """The project's city, or its general contractor: registers participants, devices, any staff."""
    return contractor_projects_for(user).filter(pk=project.pk).exists()


def registers_on(user: User, project: Project) -> bool:
    """Whether the user registers anyone at all on the project: the city, its contractor, or an employer
    taking part in it (for its own staff). Checked before the body of a registration is read."""
    if can_manage_project(user, project):
        return True
    return (
        user.role == Role.ENTERPRISE
        and _participations(user, ParticipantRole.SUBCONTRACTOR, ParticipantRole.SUPERVISOR)
        .filter(project=project)
        .exists()
    )


def can_register_staff(user: User, project: Project, employer: Enterprise) -> bool:
    """Engagements: the contractor for anyone; a subcontractor or supervision firm for its own staff."""
    if can_manage_project(user, project):
        return True
    return (
        user.role == Role.ENTERPRISE
        and user.enterprise_id == employer.pk
        and _participations(user).filter(project=project).exists()
    )


def identity_conflicts_for(user: User) -> QuerySet[IdentityConflict]:
    """Regulators only, each its own jurisdiction's projects'. Never the enterprise that offered the
    number (the conflict names the holder)."""
    qs = IdentityConflict.objects.select_related("project", "person", "offered_by", "offered_by__enterprise")
    if not is_regulator(user):
        return qs.none()
    return qs.filter(project__in=projects_for(user))
