"""Reads of the registry, always cut to the user's jurisdiction."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from projects import jurisdiction
from projects.models import Engagement, Project, ProjectParticipant, StatusRequest, User


def project_list(*, user: User) -> QuerySet[Project]:
    participants = ProjectParticipant.objects.select_related("enterprise").order_by("role", "id")
    return (
        jurisdiction.projects_for(user)
        .select_related("district")
        .prefetch_related(Prefetch("participants", queryset=participants))
    )


def project_get(*, user: User, permit_no: str) -> Project:
    """The project if the user may see it; 404 otherwise (its existence is not revealed)."""
    project = jurisdiction.projects_for(user).select_related("district").filter(permit_no=permit_no).first()
    if project is None:
        raise Http404(_("No project with permit number %(permit)s in your jurisdiction.") % {"permit": permit_no})
    return project


def engagement_list(*, user: User, project: Project) -> QuerySet[Engagement]:
    return (
        jurisdiction.engagements_for(user)
        .filter(project=project)
        .select_related("person", "employer", "project")
        .order_by("id")
    )


def status_request_list(*, user: User) -> QuerySet[StatusRequest]:
    return (
        jurisdiction.status_requests_for(user)
        .select_related("project", "vendor", "submitted_by", "district_decided_by", "city_decided_by")
        .prefetch_related("attachments")
    )
