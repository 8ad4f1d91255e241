"""The dashboard's pages. Each reads through the jurisdiction-scoped selectors and writes through
the same services as the API, so a page can show or do nothing the user's role does not allow."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from devices.models import Device, DeviceFlip
from inspections.models import Alert, Case, Inspection, Measure
from inspections.rules import rule
from inspections.rules.evidence import evidence_rows
from inspections.selectors.handling import with_handling
from inspections.selectors.presence import uncounted_punches
from inspections.services import cases
from inspections.services.triage import alert_acknowledge, alert_dismiss
from projects import selectors as project_selectors
from projects.choices import RegionLevel
from projects.identity import normalise_id_number
from projects.models import Engagement, IdentityConflict, Project, Region, StatusRequest
from projects.scope import scope_of
from projects.scope.areas import city_of, home_page
from projects.selectors import position_names
from projects.services import accounts, people
from reports.dashboard import lists, punches, selectors, triage
from reports.dashboard import requests as requests_page
from reports.dashboard.charts import bar_chart, line_chart
from reports.dashboard.kept_forms import form_restored
from reports.dashboard.todo import todo_panel
from rights.selectors.complaints import complaints_to_handle
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import Conflict
from smz_platform.common.models import AuditAction
from smz_platform.common.months import month_end
from smz_platform.common.pii import mask_id_number


def _regulator(request: HttpRequest) -> None:
    scope_of(request.user).require("regulate")


def _districts_of(user):
    """The districts a regulator's forms and filters offer: those of its jurisdiction."""
    return scope_of(user).districts().order_by("code")


def _month(raw: str | None, today: dt.date) -> dt.date:
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date() if raw else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)
    return min(max(month, dt.date(2000, 1, 1)), today.replace(day=1))


def _shift(month: dt.date, by: int) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) if by > 0 else (month - dt.timedelta(days=1)).replace(day=1)


def _overview_context(
    districts: list[Region], today: dt.date, *, recent: bool = False, area: Region | None = None
) -> dict:
    """The figures of an overview and the query its cards and charts link with: the lists behind them
    are narrowed to the same area (a district, a city, a province), so that each card counts the rows
    it links to, also for an account that reads more than the area shown."""
    data = (selectors.overview_recent if recent else selectors.overview)(districts=districts, today=today)
    alerts = reverse("dashboard:alerts")
    area = area or (districts[0] if len(districts) == 1 else None)
    where = f"&{area.level}={area.code}" if area is not None else ""
    return {
        "data": data,
        "today": today,
        "where": where,
        "trend_svg": line_chart(title=_("Last 30 days"), labels=data.trend_labels, series=data.trends),
        "rule_svg": bar_chart(
            title=_("Open alerts by rule"),
            items=[
                (f"{code} {rule(code).label}", n, f"{alerts}?live=1&group=0&rule={code}{where}")
                for code, n in data.by_rule
            ],
        ),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The province overview for the province; the city overview for the city; a district's own page
    for its staff; projects for the others."""
    scope = scope_of(request.user)
    page, args = home_page(scope)
    if page == "province":
        return _province(request, scope.region)
    if page == "city":
        return _city(request, city_of(scope))
    return redirect(page, *args)


def _province(request: HttpRequest, province: Region) -> HttpResponse:
    """Cities ranked as the city overview ranks its districts: each city's figures are its districts'."""
    cities = list(Region.objects.filter(parent=province, level=RegionLevel.CITY).order_by("code"))
    districts = selectors.province_districts(province)
    context = _overview_context(districts, timezone.localdate(), recent=True, area=province)
    by_city = {city.pk: selectors.Figures() for city in cities}
    for district_, figures in context["data"].districts:
        by_city[district_.parent_id].add(figures)
    context.update(
        province=province,
        cities=[(city, by_city[city.pk]) for city in cities],
        city_svg=bar_chart(
            title=_("Open alerts by city"),
            items=[(c.name, by_city[c.pk].open_alerts, reverse("dashboard:city", args=[c.code])) for c in cities],
        ),
    )
    return render(request, "reports/dashboard/province.html", context)


@login_required
def city(request: HttpRequest, code: str) -> HttpResponse:
    """One city's overview: for the province's regulators, and for the city's own."""
    region = get_object_or_404(Region, code=code, level=RegionLevel.CITY)
    if not scope_of(request.user).allows(region, "read_reports"):
        raise Http404
    return _city(request, region)


def _city(request: HttpRequest, city: Region) -> HttpResponse:
    districts = list(Region.objects.filter(parent=city).order_by("code"))
    context = _overview_context(districts, timezone.localdate(), area=city)
    context.update(
        city=city,
        todo_panel=todo_panel(request),
        district_svg=bar_chart(
            title=_("Open alerts by district"),
            items=[
                (d.name, f.open_alerts, reverse("dashboard:district", args=[d.code]))
                for d, f in context["data"].districts
            ],
        ),
    )
    return render(request, "reports/dashboard/city.html", context)


@login_required
def district(request: HttpRequest, code: str) -> HttpResponse:
    _regulator(request)
    region = get_object_or_404(scope_of(request.user).districts(), code=code)
    today = timezone.localdate()
    context = _overview_context([region], today)
    context.update(
        district=region, ranked=selectors.ranked_projects(district=region, today=today), todo_panel=todo_panel(request)
    )
    # Registrations refused because the number is held under another name: possible identity misuse.
    context["conflicts"] = list(
        IdentityConflict.objects.restrict(request.user, "view")
        .select_related("project", "person", "offered_by", "offered_by__enterprise")
        .filter(project__district=region, reviewed_at__isnull=True)[:50]
    )
    return render(request, "reports/dashboard/district.html", context)


@login_required
@require_POST
def identity_conflict_review(request: HttpRequest, conflict_id: int) -> HttpResponse:
    """已核查: staff have looked into an identity conflict; back to the district page."""
    _regulator(request)
    conflict = get_object_or_404(IdentityConflict.objects.restrict(request.user, "view"), pk=conflict_id)
    people.identity_conflict_review(user=request.user, conflict=conflict)
    messages.success(request, _("The identity conflict is marked as reviewed."))
    return redirect("dashboard:district", code=conflict.project.district.code)


@login_required
def project(request: HttpRequest, permit_no: str) -> HttpResponse:
    scope = scope_of(request.user)
    # The page's questions (may it manage the registry, act as its regulators, print its board?) are
    # answered by the query that fetches the project.
    today = timezone.localdate()
    projects = scope.with_allowed(
        Project.objects.select_related("district"), "manage_project", "enforce", "print_board"
    )
    item = get_object_or_404(project_selectors.with_status_on(projects, today), permit_no=permit_no)
    month = _month(request.GET.get("month"), today)
    calendar = selectors.project_calendar(user=request.user, project=item, month=month, today=today)
    positions = position_names()
    # The people scope, not the project's: a subcontractor sees its own staff, a vendor nobody.
    people = list(
        Engagement.objects.restrict(request.user, "view")
        .filter(project=item, exited_on__isnull=True)
        .select_related("person", "employer")
        .order_by("category", "position", "pk")[:300]
    )
    for engagement in people:
        engagement.position_name = positions.get(engagement.position, engagement.position)
    requests = (
        StatusRequest.objects.restrict(request.user, "view")
        .filter(project=item)
        .select_related("project", "district_decided_by")
    )
    status_requests = list(requests.prefetch_related("attachments").order_by("-submitted_at")[:20])
    may = scope.allowed(item, "enforce", "print_board")  # answered by the query that fetched it
    context = {
        "project": item,
        "participants": item.participants.select_related("enterprise").order_by("role", "pk"),
        "people": people,
        "devices": Device.objects.restrict(request.user, "view")
        .filter(project=item)
        .select_related("vendor")
        .order_by("serial"),
        "calendar": calendar,
        # The month's punches that made no day attended, and why (found false, or refused by the device).
        "uncounted": uncounted_punches(project=item, first=month, last=month_end(month), limit=200, user=request.user),
        "previous": _shift(month, -1),
        "next": _shift(month, 1) if month < today.replace(day=1) else None,
        "alerts": Alert.objects.restrict(request.user, "view").filter(project=item).order_by("-last_seen")[:30],
        "requests": status_requests,
        "decidable": requests_page.decidable(request.user, status_requests),
        "can_file": scope.allows(item, "manage_project"),
        "request_form": form_restored(request, requests_page.request_form_key(item), requests_page.StatusRequestForm),
        "cases": Case.objects.restrict(request.user, "view").filter(project=item).order_by("-opened_at")[:20],
        "measures": Measure.objects.restrict(request.user, "view")
        .filter(case__project=item)
        .select_related("case")
        .order_by("-created_at")[:50],
        "regulator": "enforce" in may,
        # 检查记录 and their findings: the regulators', and the contractor's and supervision firm's for their
        # own projects (the campaign's self-inspection phase works on them).
        "inspections": Inspection.objects.restrict(request.user, "view")
        .filter(project=item)
        .prefetch_related("findings", "photos")
        .order_by("-day", "-pk")[:30],
        "can_inspect": "enforce" in may,
        "can_print_board": "print_board" in may,
    }
    return render(request, "reports/dashboard/project.html", context)


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    """预警处置: the list with its filters; acknowledge or dismiss one or many at once."""
    _regulator(request)
    qs, filtered = _triage_queryset(request, request.GET)
    grouping = request.GET.get("group", "1") != "0"
    size = lists.page_size(request.GET.get("size"))
    rows = triage.Groups(qs) if grouping else qs  # grouped: a project's rule and period
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    order = request.GET.get("o", "")
    sorts = {}
    for column in ("rule", "district", "project", "subject", "period", "state", "last_seen"):
        toggled = params.copy()
        toggled["o"] = f"-{column}" if order == column else column
        sorts[column] = (toggled.urlencode(), "asc" if order == column else "desc" if order == f"-{column}" else "")
    flipped = params.copy()
    flipped["group"] = "0" if grouping else "1"
    return render(
        request,
        "reports/dashboard/alerts.html",
        {
            "filter": filtered,
            "page": page,
            "query": params.urlencode(),
            "size": size,
            "sizes": lists.PAGE_SIZES,
            "size_query": lists.query_without(params, "size"),
            "grouping": grouping,
            "sorts": sorts,
            "flip_group": flipped.urlencode(),
            "alert_count": rows.totals[1] if grouping else page.paginator.count,
            "bulk_limit": triage.BULK_LIMIT,
            "export_url": f"{reverse('dashboard:alerts-export')}?{params.urlencode()}",
            "export_limit": ALERTS_EXPORT_LIMIT,
            # 举报投诉 land in the triage too: the open ones of the account's projects, the most urgent first.
            "complaints": list(complaints_to_handle(request.user)[:COMPLAINTS_SHOWN]),
            "today": timezone.localdate(),
        },
        status=200 if filtered.is_valid() else 400,
    )


def _triage_queryset(request, params):
    # The list never shows the evidence: it stays in the database (a city's open alerts are grouped here).
    alerts = with_handling(
        Alert.objects.restrict(request.user, "view").select_related("project__district").defer("evidence")
    )
    filtered = triage.TriageFilter(params, queryset=alerts, request=request)
    qs = filtered.qs if filtered.is_valid() else Alert.objects.none()
    # Whatever the column sorted on, its ties stand newest first: a page holds the same rows from one view
    # to the next, and a grouped row (triage.Groups) stands where its first alert does.
    return qs.order_by(*qs.query.order_by, "-last_seen", "-id"), filtered


ALERTS_EXPORT_LIMIT = 5000
COMPLAINTS_SHOWN = 20  # the open complaints heading the triage; the complaints page lists them all


@login_required
def alerts_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a workbook (at most 5,000 alerts), audit-logged like every export."""
    _regulator(request)
    qs, _filtered = _triage_queryset(request, request.GET)
    items = list(qs[:ALERTS_EXPORT_LIMIT])
    exported = timezone.localtime()
    content = triage.export_workbook(items, title=f"预警清单（{exported:%Y年%m月%d日 %H:%M}导出，共{len(items)}条）")
    audit_event_record(
        user=request.user,
        action=AuditAction.EXPORT,
        what=f"导出预警清单（{len(items)}条）",
        record_count=len(items),
        request=request,
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''alerts.xlsx"
    return response


@login_required
@require_POST
def alerts_triage(request: HttpRequest) -> HttpResponse:
    """Acknowledge or dismiss (with a reason) the ticked alerts; back to the list as it was filtered,
    or to the alert's own page."""
    _regulator(request)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()[:2000]
    ids = triage.ticked_ids(request.POST.getlist("alert"))
    if request.POST.get("scope") == "all":  # everything the list's filter holds, up to the bulk limit
        ids = list(
            _triage_queryset(request, QueryDict(request.POST.get("query", "")))[0].values_list("pk", flat=True)[
                : triage.BULK_LIMIT
            ]
        )
    single = request.POST.get("single", "")
    target = (
        reverse("dashboard:alert", args=[int(single)])
        if single.isdigit()
        else f"{reverse('dashboard:alerts')}?{request.POST.get('query', '')}"
    )
    if action not in ("acknowledge", "dismiss", "open_case") or not ids:
        messages.error(request, _("Choose at least one alert and an action."))
        return redirect(target)
    if action == "open_case":
        return _open_case(request, ids, target)
    if action == "dismiss" and not reason:
        messages.error(request, _("Give the reason for dismissing the alert."))
        return redirect(target)
    done, refused = 0, []
    for item in Alert.objects.restrict(request.user, "view").filter(pk__in=ids):
        try:
            if action == "acknowledge":
                alert_acknowledge(user=request.user, alert=item)
            else:
                alert_dismiss(user=request.user, alert=item, reason=reason)
            done += 1
        except (Conflict, ValidationError, PermissionDenied) as exc:
            refused.append(f"#{item.pk}：{getattr(exc, 'message', '') or exc}")
    if done:
        messages.success(request, _("%(n)d alerts updated.") % {"n": done})
    for text in refused:
        messages.warning(request, text)
    return redirect(target)


def _open_case(request: HttpRequest, ids: list[int], target: str) -> HttpResponse:
    """立案 from the ticked alerts: one case of one project, through the API's service (cases.case_open)."""
    items = list(Alert.objects.restrict(request.user, "view").filter(pk__in=ids).select_related("project"))
    projects = {a.project_id: a.project for a in items}
    if len(projects) != 1:
        messages.error(request, _("A case is of one project: tick the alerts of one project."))
        return redirect(target)
    project = next(iter(projects.values()))
    try:
        case = cases.case_open(
            user=request.user, project=project, title=request.POST.get("title", ""), alert_ids=[a.pk for a in items]
        )
    except (ValidationError, Conflict) as exc:
        texts = exc.message_dict.get("title", exc.messages) if isinstance(exc, ValidationError) else [str(exc)]
        for text in texts:
            messages.error(request, text)
        return redirect(target)
    messages.success(request, _("Case opened: %(title)s (%(n)d alerts).") % {"title": case.title, "n": len(items)})
    return redirect("dashboard:project", permit_no=project.permit_no)


@login_required
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    _regulator(request)
    alerts = Alert.objects.restrict(request.user, "view").select_related("project__district", "dismissed_by")
    item = get_object_or_404(with_handling(alerts), pk=alert_id)
    spec = rule(item.rule)
    return render(
        request,
        "reports/dashboard/alert.html",
        {
            "alert": item,
            "rule": spec,
            "rule_name": spec.label,
            "sentence": spec.describe(item) if spec.describe else "",
            "evidence": evidence_rows(item.evidence),
            "cases": item.cases.all(),
            # The punches behind the figures, each linked to its detail (R07: the reused photo among them).
            "punches": punches.evidence_punches(request.user, item.evidence),
            "punch_total": punches.evidence_punch_total(item.evidence),
        },
    )


@login_required
def device(request: HttpRequest, serial: str) -> HttpResponse:
    item = get_object_or_404(
        Device.objects.restrict(request.user, "view").select_related("project", "vendor"), serial=serial
    )
    flips = DeviceFlip.objects.filter(device=item).order_by("-at", "-id")[:200]
    return render(request, "reports/dashboard/device.html", {"device": item, "flips": flips})


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: the account's setting, then back to the page it was sent from."""
    try:
        accounts.account_language_set(user=request.user, language=request.POST.get("language", ""))
    except ValidationError as exc:
        return render(request, "400.html", {"message": exc.message_dict["language"][0]}, status=400)
    translation.activate(request.user.language)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("dashboard:home")
    return redirect(back)


SEARCH_MAX_LENGTH = 100


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: projects by name or permit number, people by name or a full ID number
    (looked up through its keyed digest, the search audit-logged), within the account's jurisdiction."""
    # The box posts: an ID number in the address would stay in the browser's history and the server's logs.
    query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
    if len(query) > SEARCH_MAX_LENGTH:
        message = _("Search for at most %(n)d characters.") % {"n": SEARCH_MAX_LENGTH}
        return render(request, "400.html", {"message": message}, status=400)
    result = project_selectors.search(user=request.user, query=query)
    shown = result.query
    if result.by_id_number:
        if request.method != "POST":
            message = _(
                "Search ID numbers with the search box: in the address, a number would be kept in the "
                "browser's history and the server's logs."
            )
            return render(request, "400.html", {"message": message}, status=400)
        shown = mask_id_number(normalise_id_number(result.query))  # never shown back in full
        audit_event_record(
            user=request.user,
            action=AuditAction.SEARCH_ID_NUMBER,
            request=request,
            what=f"按身份证号查找人员（{shown}）",
            record_count=len(result.engagements),
        )
    return render(request, "reports/dashboard/search.html", {"result": result, "shown": shown})
