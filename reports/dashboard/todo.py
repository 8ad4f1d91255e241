"""待办: what each account has to act on, across its projects, on one page and counted in the menu.

Every group is a query through the one scope (projects.scope): an account sees in a group exactly the rows
it may act on there (the district the requests it approves first, the city those it approves second, the
issuing side the replies it reviews, the general contractor the orders addressed to it), so that the
page, the menu's count and the action's own check cannot disagree. The menu's count is one query: the
groups' counts as scalar subqueries of one SELECT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.choices import CampaignPhase, MeasureState, ReplyState
from inspections.models import Campaign, CampaignPhaseDates, Measure, RectificationReply
from inspections.selectors.enforcement import overdue_q
from projects.choices import StatusRequestState
from projects.models import StatusRequest, User
from projects.scope import scope_of
from reports.models import Submission, SubmissionKind, SubmissionState

SHOWN = 50  # rows a group lists; its count says how many there are


@dataclass(frozen=True)
class Item:
    project: str
    what: str
    detail: str
    url: str
    due: dt.date | None = None
    overdue: bool = False


@dataclass
class Group:
    key: str
    title: str
    count: int = 0
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class _Spec:
    key: str
    title: str
    rows: Callable[[User, dt.date], QuerySet]
    item: Callable[[object, dt.date], Item]
    regulators: bool | None = None  # True: regulators only; False: firms only; None: whoever the scope lets


def _case_url(measure: Measure) -> str:
    return f"{reverse('dashboard:case', args=[measure.case_id])}#measure-{measure.pk}"


def _request_url(request: StatusRequest) -> str:
    return f"{reverse('dashboard:project', args=[request.project.permit_no])}#request-{request.pk}"


def _period(request: StatusRequest) -> str:
    start = f"{request.effective_from:%Y年%-m月%-d日}"
    return f"{start}至{request.effective_to:%Y年%-m月%-d日}" if request.effective_to else f"自{start}起"


def _first_approval(request: StatusRequest) -> str:
    who = request.district_decided_by
    name = (who.get_full_name() or who.username) if who else ""
    comment = request.district_comment or "无意见"
    when = timezone.localtime(request.district_decided_at)
    return f"区县初审：{name}，{when:%Y年%-m月%-d日}，意见：{comment}"


# --- The groups -----------------------------------------------------------------------------------------


def _first_approvals(user, today):
    return (
        StatusRequest.objects.restrict(user, "decide_first")
        .filter(state=StatusRequestState.PENDING_DISTRICT)
        .select_related("project")
        .order_by("submitted_at", "pk")
    )


def _second_approvals(user, today):
    return (
        StatusRequest.objects.restrict(user, "decide_second")
        .filter(state=StatusRequestState.PENDING_CITY)
        .select_related("project", "district_decided_by")
        .order_by("district_decided_at", "pk")
    )


def _requests_in_flight(user, today):
    return (
        StatusRequest.objects.restrict(user, "as_submitter")
        .filter(state__in=[StatusRequestState.PENDING_DISTRICT, StatusRequestState.PENDING_CITY])
        .select_related("project")
        .order_by("submitted_at", "pk")
    )


def _replies_to_review(user, today):
    return (
        RectificationReply.objects.restrict(user, "review")
        .filter(state=ReplyState.SUBMITTED)
        .select_related("measure__case__project")
        .order_by("submitted_at", "pk")
    )


def _proposals(user, today):
    return (
        Measure.objects.restrict(user, "handle")
        .filter(state=MeasureState.PROPOSED)
        .select_related("case__project")
        .order_by("created_at", "pk")
    )


def _overdue(user, today):
    return (
        Measure.objects.restrict(user, "handle")
        .filter(overdue_q(today))
        .select_related("case__project")
        .order_by("deadline", "pk")
    )


def _orders(user, today):
    return (
        Measure.objects.restrict(user, "reply")
        .filter(state__in=[MeasureState.ISSUED, MeasureState.ESCALATED])
        .select_related("case__project")
        .annotate(
            sent_back=Exists(RectificationReply.objects.filter(measure=OuterRef("pk"), state=ReplyState.REJECTED))
        )
        .order_by("deadline", "pk")
    )


def _filings(user, today):
    """Annex 1 of each campaign the account's districts take part in that no submitted version answers: for
    the district that files it, every one of a campaign that has begun; for the city, those past due."""
    scope = scope_of(user)
    through = Campaign.districts.through
    deadline = CampaignPhaseDates.objects.filter(campaign=OuterRef("campaign_id"), phase=CampaignPhase.LOCAL_INSPECTION)
    filed = Submission.objects.filter(
        campaign=OuterRef("campaign_id"),
        district=OuterRef("region_id"),
        kind=SubmissionKind.ANNEX1,
        state=SubmissionState.SUBMITTED,
    )
    rows = (
        through.objects.filter(
            region__in=scope.districts(),
            campaign__in=Campaign.objects.restrict(user, "view"),
            campaign__starts_on__lte=today,
        )
        .annotate(deadline=Subquery(deadline.values("ends_on")[:1]))
        .filter(~Exists(filed))
        .select_related("campaign", "region")
        .order_by("deadline", "campaign_id", "region__code")
    )
    return rows if scope.can("file_reports") else rows.filter(deadline__lt=today)


def _measure_item(measure, today):
    overdue = bool(measure.deadline and measure.deadline < today)
    detail = measure.document_no or measure.case.title
    if getattr(measure, "sent_back", False) and measure.state == MeasureState.ISSUED:
        detail = f"{detail}（整改回复被退回，请重新回复）"
    return Item(
        measure.case.project.name, measure.get_kind_display(), detail, _case_url(measure), measure.deadline, overdue
    )


SPECS = [
    _Spec(
        "first_approvals",
        _("Status requests to approve (first level)"),
        _first_approvals,
        lambda r, today: Item(r.project.name, r.get_kind_display(), f"{_period(r)}。{r.reason}", _request_url(r)),
    ),
    _Spec(
        "second_approvals",
        _("Status requests to approve (second level)"),
        _second_approvals,
        lambda r, today: Item(
            r.project.name, r.get_kind_display(), f"{_period(r)}。{_first_approval(r)}", _request_url(r)
        ),
    ),
    _Spec(
        "replies",
        _("Rectification reports to review"),
        _replies_to_review,
        lambda r, today: Item(
            r.measure.case.project.name,
            r.measure.get_kind_display(),
            r.text[:120],
            _case_url(r.measure),
            r.submitted_at.date(),
        ),
    ),
    _Spec("proposals", _("Proposed measures to confirm"), _proposals, _measure_item),
    _Spec("overdue", _("Measures past their deadline"), _overdue, _measure_item),
    _Spec("orders", _("Orders addressed to you"), _orders, _measure_item, regulators=False),
    _Spec(
        "in_flight",
        _("Your status requests in approval"),
        _requests_in_flight,
        lambda r, today: Item(
            r.project.name, r.get_kind_display(), f"{_period(r)}。{r.get_state_display()}", _request_url(r)
        ),
        regulators=False,
    ),
    _Spec(
        "filings",
        _("Annex 1 to file"),
        _filings,
        lambda row, today: Item(
            row.region.name,
            row.campaign.name,
            "附件1尚未报送",
            reverse("dashboard:submissions"),
            row.deadline,
            bool(row.deadline and row.deadline < today),
        ),
        regulators=True,
    ),
]


def _specs(user) -> list[_Spec]:
    regulator = scope_of(user).can("regulate")
    return [s for s in SPECS if s.regulators is None or s.regulators == regulator]


def todo(*, user: User, today: dt.date, counts: dict[str, int] | None = None) -> list[Group]:
    """The groups with something in them, each with its count and its first rows (`counts`: already counted)."""
    groups = []
    counts = todo_counts(user=user, today=today) if counts is None else counts
    for spec in _specs(user):
        if not counts.get(spec.key):
            continue
        rows = spec.rows(user, today)[:SHOWN]
        groups.append(Group(spec.key, str(spec.title), counts[spec.key], [spec.item(row, today) for row in rows]))
    return groups


def todo_counts(*, user: User, today: dt.date) -> dict[str, int]:
    """Each group's count, in one query."""
    keys, sql, params = _counting_statement(user, today)
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    return dict(zip(keys, values, strict=True))


# The counting statement of an account and a day, compiled once for the process's life: every page's menu counts
# the account's 待办, and compiling the groups' eight scoped querysets cost a page ~2 ms of CPU. A statement is
# kept only when compiling it read nothing from the database (the scope's conditions are conditions on rows, never
# a query's answer), so a kept one is what compiling would give again; a changed account has another scope key.
_COMPILED: dict[tuple, tuple[list[str], str, list]] = {}
_COMPILED_MAX = 4096  # accounts a day on one process; past it, the oldest half goes


class _ReadTheDatabase(Exception):
    pass


def _refuse_queries(execute, sql, params, many, context):
    raise _ReadTheDatabase


def _counting_statement(user: User, today: dt.date) -> tuple[list[str], str, list]:
    key = (connection.alias, user.pk, scope_of(user).key, today)
    kept = _COMPILED.get(key)
    if kept is not None:
        return kept
    try:
        with connection.execute_wrapper(_refuse_queries):
            kept = _compile_counts(user, today)
    except _ReadTheDatabase:
        return _compile_counts(user, today)  # compiling asked the database: not kept
    if len(_COMPILED) >= _COMPILED_MAX:
        for old in list(_COMPILED)[: _COMPILED_MAX // 2]:
            _COMPILED.pop(old, None)
    _COMPILED[key] = kept
    return kept


def _compile_counts(user: User, today: dt.date) -> tuple[list[str], str, list]:
    specs = _specs(user)
    parts, params = [], []
    for spec in specs:
        try:
            sql, args = spec.rows(user, today).order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # the scope leaves the account nothing of this kind
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS t)")
        params.extend(args)
    return [spec.key for spec in specs], "SELECT " + ", ".join(parts) if parts else "", params


def request_todo_counts(request: HttpRequest) -> dict[str, int]:
    """The signed-in account's counts, counted once per request (the menu and the home page's panel)."""
    if not hasattr(request, "_todo_counts"):
        request._todo_counts = todo_counts(user=request.user, today=timezone.localdate())
    return request._todo_counts


def todo_panel(request: HttpRequest) -> list[tuple[str, str, int]]:
    """The home page's 待办 panel: (key, title, count) of each group with something in it."""
    counts = request_todo_counts(request)
    return [(spec.key, str(spec.title), counts[spec.key]) for spec in _specs(request.user) if counts.get(spec.key)]


@login_required
def todo_page(request: HttpRequest) -> HttpResponse:
    """待办: the account's groups, each with its count and its rows, each row linked to where it is done."""
    # Counted once for the page and the menu's badge (request_todo_counts).
    groups = todo(user=request.user, today=timezone.localdate(), counts=request_todo_counts(request))
    return render(request, "reports/dashboard/todo.html", {"groups": groups, "total": sum(g.count for g in groups)})
