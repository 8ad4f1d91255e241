"""Who may read and write what (杭建市发〔2016〕39号 四). Every queryset of the platform goes through here.

- city regulator: everything;
- district staff: the projects of their district;
- enterprise user: the projects its enterprise takes part in; as the general contractor it manages
  the whole project, otherwise only its own staff;
- vendor: the projects it serves and the devices it operates.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from projects.choices import ParticipantRole, Role
from projects.models import (
    Engagement,
    Enterprise,
    Project,
    ProjectParticipant,
    ProjectStatusChange,
    StatusRequest,
    User,
)


def _participations(user: User, *roles: str) -> QuerySet[ProjectParticipant]:
    qs = ProjectParticipant.objects.filter(enterprise_id=user.enterprise_id)
    return qs.filter(role__in=roles) if roles else qs


def projects_for(user: User) -> QuerySet[Project]:
    qs = Project.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.CITY:
        return qs
    if user.role == Role.DISTRICT:
        return qs.filter(district_id=user.district_id)
    return qs.filter(id__in=_participations(user).values("project_id"))


def contractor_projects_for(user: User) -> QuerySet[Project]:
    """Projects whose whole registry the user manages: all for the city, its own as the contractor."""
    qs = Project.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.CITY:
        return qs
    if user.role == Role.ENTERPRISE:
        return qs.filter(id__in=_participations(user, ParticipantRole.CONTRACTOR).values("project_id"))
    return qs.none()


def engagements_for(user: User) -> QuerySet[Engagement]:
    qs = Engagement.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.CITY:
        return qs
    if user.role == Role.DISTRICT:
        return qs.filter(project__district_id=user.district_id)
    if user.role == Role.ENTERPRISE:
        managed = _participations(user, ParticipantRole.CONTRACTOR).values("project_id")
        own_staff = Q(employer_id=user.enterprise_id, project_id__in=_participations(user).values("project_id"))
        return qs.filter(Q(project_id__in=managed) | own_staff)
    return qs.none()


def enterprises_for(user: User) -> QuerySet[Enterprise]:
    """Enterprises taking part in the user's projects, its own, and those it registered."""
    qs = Enterprise.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.CITY:
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
    """The city, or the project's general contractor: registers participants, devices, any staff."""
    return contractor_projects_for(user).filter(pk=project.pk).exists()


def can_register_staff(user: User, project: Project, employer: Enterprise) -> bool:
    """Engagements: the contractor for anyone; a subcontractor or supervision firm for its own staff."""
    if can_manage_project(user, project):
        return True
    return (
        user.role == Role.ENTERPRISE
        and user.enterprise_id == employer.pk
        and _participations(user).filter(project=project).exists()
    )
