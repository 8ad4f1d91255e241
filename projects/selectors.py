"""Reads of the registry, always cut to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.choices import CodeTable, ProjectKind, StatusOnDay, StatusRequestKind, StatusRequestState
from projects.identity import normalise_id_number
from projects.models import Engagement, Project, ProjectParticipant, ReferenceCode, StatusRequest, User
from smz_platform.common import pii


def position_choices() -> list[tuple[str, str]]:
    """岗位: the code table's positions as (code, name), in its order: what every form and page offers."""
    return list(
        ReferenceCode.objects.filter(table=CodeTable.POSITION)
        .order_by("sort_order", "code")
        .values_list("code", "name")
    )


def position_names() -> dict[str, str]:
    return dict(position_choices())


def start_in_force() -> Coalesce:
    """A project's start in SQL: the requested date of its latest approved start-date change, else the
    permit's planned start (for period filters and lists; the rules' calendar is exact day by day)."""
    latest = StatusRequest.objects.filter(
        project_id=OuterRef("pk"), kind=StatusRequestKind.START_DATE_CHANGE, state=StatusRequestState.APPROVED
    ).order_by("-takes_effect_on", "-id")
    return Coalesce(Subquery(latest.values("effective_from")[:1]), F("planned_start"))


def _effective() -> Coalesce:
    """The day an approved request took effect (inspections.selectors.timelines._effective, in SQL)."""
    return Coalesce(F("takes_effect_on"), F("effective_from"))


def start_on(day: dt.date) -> Coalesce:
    """The start in force on `day`: the requested date of the last approved start-date change that had
    taken effect by then (a retroactive one from the first), else the permit's planned start."""
    changes = (
        StatusRequest.objects.filter(
            project_id=OuterRef("pk"), kind=StatusRequestKind.START_DATE_CHANGE, state=StatusRequestState.APPROVED
        )
        .annotate(effective=_effective())
        .filter(Q(retroactive=True) | Q(effective__lte=day))
        .order_by("-effective", "-id")
    )
    return Coalesce(Subquery(changes.values("effective_from")[:1]), F("planned_start"))


def suspended_on(day: dt.date) -> Exists:
    """An approved suspension holds on `day`: one with an end date covering it, or an open one that no
    approved resumption taking effect after it (and by `day`) has ended."""
    approved = StatusRequest.objects.filter(state=StatusRequestState.APPROVED).annotate(effective=_effective())
    resumed = approved.filter(
        project_id=OuterRef(OuterRef("pk")), kind=StatusRequestKind.RESUMPTION, effective__lte=day
    ).filter(Q(effective__gt=OuterRef("effective")) | Q(effective=OuterRef("effective"), id__gt=OuterRef("id")))
    suspensions = approved.filter(project_id=OuterRef("pk"), kind=StatusRequestKind.SUSPENSION, effective__lte=day)
    return Exists(suspensions.filter(Q(effective_to__gte=day) | Q(effective_to__isnull=True) & ~Exists(resumed)))


def status_on(day: dt.date) -> Case:
    """在建、停工、未开工、完工 on `day`, the one answer every page, card, list, filter and API asks
    (annotate a project queryset with it). Approved requests count from the day they take effect, not
    from their approval: a suspension approved today from the 20th leaves the project 在建 until then.
    A day is a construction day (inspections.calendar) exactly when the project is ACTIVE on it."""
    return Case(
        When(completed_on__lte=day, then=Value(StatusOnDay.COMPLETED)),
        When(attendance_stopped_on__lte=day, then=Value(StatusOnDay.ATTENDANCE_STOPPED)),
        When(GreaterThan(start_on(day), Value(day)), then=Value(StatusOnDay.NOT_STARTED)),
        When(suspended_on(day), then=Value(StatusOnDay.SUSPENDED)),
        default=Value(StatusOnDay.ACTIVE),
        output_field=CharField(),
    )


def with_status_on(queryset: QuerySet[Project], day: dt.date) -> QuerySet[Project]:
    """The projects annotated ``status_today``: their status on `day` (a page shows
    ``project.status_today_label``)."""
    return queryset.annotate(status_today=status_on(day))


def status_today(project: Project) -> str:
    """One project's status today (status_on), for a service or an answer about a single project."""
    return with_status_on(Project.objects.filter(pk=project.pk), timezone.localdate()).get().status_today  # type: ignore[attr-defined]  # the annotation


def projects_by_status(day: dt.date, *statuses: str, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """The projects (of `queryset`, all by default) whose status on `day` is one of `statuses`: the cards'
    在建 (ACTIVE) and 停工 (SUSPENDED), the draw pool, the district's ranking, the roll-up."""
    return with_status_on(Project.objects.all() if queryset is None else queryset, day).filter(
        status_today__in=statuses  # type: ignore[misc]  # the annotation of with_status_on
    )


def in_scope_q(prefix: str = "") -> Q:
    """Within the real-name scope (中山 2019 上线通知 二): buildings from SMZ_SCOPE_MIN_BUILDING_AREA_M2, municipal
    works from SMZ_SCOPE_MIN_MUNICIPAL_COST_YUAN, rail transit always (Project.in_scope, in SQL)."""
    area, cost = settings.SMZ_SCOPE_MIN_BUILDING_AREA_M2, settings.SMZ_SCOPE_MIN_MUNICIPAL_COST_YUAN
    return (
        Q(**{f"{prefix}kind": ProjectKind.BUILDING, f"{prefix}building_area_m2__gte": area})
        | Q(**{f"{prefix}kind": ProjectKind.MUNICIPAL, f"{prefix}contract_cost_yuan__gte": cost})
        | ~Q(**{f"{prefix}kind__in": [ProjectKind.BUILDING, ProjectKind.MUNICIPAL]})
    )


def project_list(*, user: User) -> QuerySet[Project]:
    participants = ProjectParticipant.objects.select_related("enterprise").order_by("role", "id")
    return with_status_on(
        Project.objects.restrict(user, "view").select_related("district").annotate(start_on=start_in_force()),
        timezone.localdate(),
    ).prefetch_related(Prefetch("participants", queryset=participants))


def project_get(*, user: User, permit_no: str) -> Project:
    """The project if the user may see it; 404 otherwise (its existence is not revealed)."""
    project = Project.objects.restrict(user, "view").select_related("district").filter(permit_no=permit_no).first()
    if project is None:
        raise Http404(_("No project with permit number %(permit)s in your jurisdiction.") % {"permit": permit_no})
    return project


def engagement_list(*, user: User, project: Project) -> QuerySet[Engagement]:
    return (
        Engagement.objects.restrict(user, "view")
        .filter(project=project)
        .select_related("person", "employer", "project")
        .order_by("id")
    )


def status_request_list(*, user: User) -> QuerySet[StatusRequest]:
    return (
        StatusRequest.objects.restrict(user, "view")
        .select_related("project", "vendor", "submitted_by", "district_decided_by", "city_decided_by")
        .prefetch_related("attachments")
    )


# --- Search (the header's search box) ------------------------------------------------------------------

SEARCH_LIMIT = 50
ID_NUMBER_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class SearchResult:
    query: str
    projects: list[Project]
    engagements: list[Engagement]  # the people found, one row per engagement, with its project
    by_id_number: bool  # the query was a full ID number, looked up through its keyed digest


def search(*, user: User, query: str) -> SearchResult:
    """Projects by name or permit number, people by name or a full ID number — all within the user's
    jurisdiction. An ID number is never matched in part (only its digest is stored): a number from
    outside the jurisdiction and an unknown one find the same nothing."""
    query = " ".join(query.split())
    if not query:
        return SearchResult(query, [], [], False)
    matching = Project.objects.restrict(user, "view").filter(Q(name__icontains=query) | Q(permit_no__icontains=query))
    projects = list(
        with_status_on(matching.select_related("district"), timezone.localdate()).order_by("permit_no")[:SEARCH_LIMIT]
    )
    number = normalise_id_number(query)
    engagements = Engagement.objects.restrict(user, "view").select_related("person", "project", "employer")
    by_id_number = bool(ID_NUMBER_SHAPE.match(number))
    if by_id_number:
        engagements = engagements.filter(person__id_number_digest=pii.lookup_digest(number))
    else:
        engagements = engagements.filter(person__name__icontains=query)
    found = list(engagements.order_by("person__name", "-entered_on", "pk")[:SEARCH_LIMIT])
    return SearchResult(query, projects, found, by_id_number)


def enterprises_with_complaints(queryset):
    """举报投诉 in each firm's integrity information (诚信信息, 鄂建文〔2019〕27号 二(三)): the complaints naming it
    (rights' Complaint, through its relation to the firm), found true, found untrue, not yet closed. The one count
    that the firm's page and the enterprise API show; one query with the firms."""
    closed = Q(complaints__state="closed")
    return queryset.annotate(
        complaints_total=Count("complaints", distinct=True),
        complaints_upheld=Count("complaints", filter=closed & Q(complaints__upheld=True), distinct=True),
        complaints_not_upheld=Count("complaints", filter=closed & Q(complaints__upheld=False), distinct=True),
        complaints_open=Count("complaints", filter=~closed, distinct=True),
    )
