"""The dashboard's lists (reports.dashboard.lists): projects, cases, measures, a project's roster, devices
and inspections. Each reads its rows through the one scope (`restrict(user, "view")`), its figures
through the one answer for them (a project's status today: projects.selectors.with_status_on; a
device online: Device.reachable_q; a measure past its deadline: inspections.selectors.enforcement),
and is one `ListSpec`: columns, filters and order in one place, the page and the workbook alike."""

from __future__ import annotations

import django_filters
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices.choices import DeviceKind, DeviceState
from devices.models import Device
from inspections.choices import CaseState, InspectionKind, MeasureKind, MeasureState
from inspections.filters import PeriodForm
from inspections.models import Case, Inspection, Measure
from inspections.selectors.enforcement import overdue_q
from projects.choices import Category, StatusOnDay
from projects.models import Engagement, Project
from projects.selectors import position_names, with_status_on
from reports.dashboard.lists import Column, ListSpec, RegionFilterSet, list_page
from reports.dashboard.requests import date_input


def _text_filter(*fields: str):
    def by_text(queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        query = Q()
        for field_ in fields:
            query |= Q(**{f"{field_}__icontains": value})
        return queryset.filter(query)

    return by_text


def _date_filter(label, field_name: str, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(label=label, field_name=field_name, lookup_expr=lookup, widget=date_input())


def _project_link(path: str = ""):
    def link(item) -> str:
        project = item
        for part in filter(None, path.split(".")):
            project = getattr(project, part)
        return reverse("dashboard:project", args=[project.permit_no])

    return link


# --- 项目 ------------------------------------------------------------------------------------------------


class ProjectListFilter(RegionFilterSet):
    q = django_filters.CharFilter(label=_("Name or permit number"), method=_text_filter("name", "permit_no"))
    status = django_filters.ChoiceFilter(
        label=_("Status today"), field_name="status_today", choices=StatusOnDay.choices, empty_label=_("All")
    )

    class Meta:
        model = Project
        fields = ["q", "status", "province", "city", "district"]


PROJECTS = ListSpec(
    name="projects",
    title=_("Projects"),
    filterset=ProjectListFilter,
    default_order=("district__code", "permit_no"),
    note=_(
        "Status as of today, as the approved requests make it: a suspension or resumption counts from the day it "
        "takes effect. 在建 is started (the start in force), not completed, attendance not stopped and not "
        "suspended."
    ),
    empty=_("No project."),
    columns=(
        Column("district", _("District"), lambda p: p.district.name, ("district__code",), width=10),
        Column("name", _("Project"), lambda p: p.name, ("name",), link=_project_link(), width=34),
        Column("permit", _("Permit number"), lambda p: p.permit_no, ("permit_no",), width=22),
        Column("status", _("Status today"), lambda p: p.status_today_label, ("status_today",), width=10),
        Column("start", _("Actual start"), lambda p: p.actual_start, ("actual_start",), width=14),
    ),
)


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """The projects the account reads with their status today (the cards' 在建 and 停工 link here with
    ``status`` and ``district``, and count exactly these rows)."""
    rows = with_status_on(
        Project.objects.restrict(request.user, "view").select_related("district"), timezone.localdate()
    )
    return list_page(request, PROJECTS, rows)


# --- 案件 and 措施 -----------------------------------------------------------------------------------------


class CaseListFilter(RegionFilterSet):
    region_path = "project__district"
    q = django_filters.CharFilter(
        label=_("Project, permit number or case title"),
        method=_text_filter("project__name", "project__permit_no", "title"),
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=CaseState.choices, empty_label=_("All"))

    class Meta:
        model = Case
        fields = ["q", "state", "province", "city", "district"]


def _measure_states(request: HttpRequest, cases: list) -> None:
    """Each case's measures by state (one query for the page): what the account reads of them."""
    by_case: dict[int, dict[str, int]] = {}
    shown = Measure.objects.restrict(request.user, "view").filter(case__in=[c.pk for c in cases])
    for case_id, state, n in shown.values_list("case_id", "state").annotate(n=Count("id")).order_by():
        by_case.setdefault(case_id, {})[state] = n
    for case in cases:
        case.measure_states = "、".join(
            f"{MeasureState(s).label.split('(')[-1].rstrip(')')} {n}"
            for s, n in sorted(by_case.get(case.pk, {}).items())
        )


CASES = ListSpec(
    name="cases",
    title=_("Cases"),
    filterset=CaseListFilter,
    default_order=("-opened_at", "-pk"),
    empty=_("No case."),
    decorate=_measure_states,
    columns=(
        Column(
            "title",
            _("Case"),
            lambda c: c.title,
            ("title",),
            link=lambda c: reverse("dashboard:case", args=[c.pk]),
            width=30,
        ),
        Column(
            "project",
            _("Project"),
            lambda c: c.project.name,
            ("project__name",),
            link=_project_link("project"),
            width=30,
        ),
        Column("district", _("District"), lambda c: c.project.district.name, ("project__district__code",), width=10),
        Column("state", _("State"), lambda c: c.get_state_display(), ("state",), width=10),
        Column("opened", _("Opened"), lambda c: timezone.localdate(c.opened_at), ("opened_at",), width=14),
        Column("measures", _("Measures"), lambda c: c.measure_states, width=24),
    ),
)


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    """案件: the cases the account reads, newest first, each with its measures by state."""
    rows = Case.objects.restrict(request.user, "view").select_related("project__district")
    return list_page(request, CASES, rows)


class MeasureListFilter(RegionFilterSet):
    region_path = "case__project__district"
    q = django_filters.CharFilter(
        label=_("Project, permit number or document number"),
        method=_text_filter("case__project__name", "case__project__permit_no", "document_no"),
    )
    kind = django_filters.ChoiceFilter(label=_("Measure"), choices=MeasureKind.choices, empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=MeasureState.choices, empty_label=_("All"))
    overdue = django_filters.BooleanFilter(
        label=_("Past its deadline"), method="past_deadline", widget=django_filters.widgets.BooleanWidget()
    )
    since = _date_filter(_("Issued from"), "issued_on", "gte")
    until = _date_filter(_("Issued until"), "issued_on", "lte")

    class Meta:
        model = Measure
        form = PeriodForm
        fields = ["q", "kind", "state", "overdue", "since", "until", "province", "city", "district"]

    def past_deadline(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


def _target(measure: Measure) -> str:
    names = [str(x) for x in (measure.target_enterprise, measure.target_person) if x]
    return "、".join(names)


MEASURES = ListSpec(
    name="measures",
    title=_("Measures"),
    filterset=MeasureListFilter,
    default_order=("-issued_on", "-created_at"),
    empty=_("No measure."),
    columns=(
        Column(
            "kind",
            _("Measure"),
            lambda m: m.get_kind_display(),
            ("kind",),
            link=lambda m: f"{reverse('dashboard:case', args=[m.case_id])}#measure-{m.pk}",
            width=16,
        ),
        Column(
            "project",
            _("Project"),
            lambda m: m.case.project.name,
            ("case__project__name",),
            link=_project_link("case.project"),
            width=30,
        ),
        Column(
            "district",
            _("District"),
            lambda m: m.case.project.district.name,
            ("case__project__district__code",),
            width=10,
        ),
        Column("target", _("Addressed to"), _target, width=24),
        Column("document", _("Document number"), lambda m: m.document_no, ("document_no",), width=18),
        Column("issued", _("Issued on"), lambda m: m.issued_on, ("issued_on",), width=14),
        Column("deadline", _("Deadline"), lambda m: m.deadline, ("deadline",), width=14),
        Column("state", _("State"), lambda m: m.get_state_display(), ("state",), width=16),
    ),
)


@login_required
def measures(request: HttpRequest) -> HttpResponse:
    """措施: every measure the account reads (a firm: those addressed to it), with its state and deadline."""
    rows = Measure.objects.restrict(request.user, "view").select_related(
        "case__project__district", "target_enterprise", "target_person"
    )
    return list_page(request, MEASURES, rows)


# --- a project's roster ------------------------------------------------------------------------------------


class RosterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, team or employer"), method=_text_filter("person__name", "team", "employer__name")
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("All"))
    exited = django_filters.BooleanFilter(
        label=_("Exited"),
        field_name="exited_on",
        lookup_expr="isnull",
        exclude=True,
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Engagement
        fields = ["q", "category", "exited"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        data = data.copy() if data is not None else None
        if data is not None and "exited" not in data:
            data["exited"] = "false"  # those on the site, unless the list is asked for the exited
        super().__init__(data, queryset, request=request, prefix=prefix)


def _positions(request: HttpRequest, engagements: list) -> None:
    names = position_names()
    for engagement in engagements:
        engagement.position_name = names.get(engagement.position, engagement.position)


ROSTER = ListSpec(
    name="roster",
    title=_("Roster"),
    filterset=RosterFilter,
    default_order=("category", "position", "pk"),
    empty=_("Nobody."),
    decorate=_positions,
    columns=(
        Column("name", _("Name"), lambda e: e.person.name, ("person__name",), width=10),
        # Masked on the page and in the workbook alike (PIPL): the full number is never listed.
        Column("id_number", _("ID number"), lambda e: e.person.id_number_masked, width=20),
        Column("category", _("Category"), lambda e: e.get_category_display(), ("category",), width=10),
        Column("position", _("Position"), lambda e: e.position_name, ("position",), width=14),
        Column("team", _("Team"), lambda e: e.team, ("team",), width=14),
        Column("employer", _("Employer"), lambda e: e.employer.name, ("employer__name",), width=28),
        Column("entered", _("Entered on"), lambda e: e.entered_on, ("entered_on",), width=14),
        Column("exited", _("Exited on"), lambda e: e.exited_on, ("exited_on",), width=14),
    ),
)


@login_required
def roster(request: HttpRequest, permit_no: str) -> HttpResponse:
    """花名册: a project's people as the account reads them (a subcontractor its own staff)."""
    project = get_object_or_404(Project.objects.restrict(request.user, "view"), permit_no=permit_no)
    rows = (
        Engagement.objects.restrict(request.user, "view").filter(project=project).select_related("person", "employer")
    )
    return list_page(request, ROSTER, rows, context={"project": project})


# --- devices -----------------------------------------------------------------------------------------------


class DeviceListFilter(RegionFilterSet):
    region_path = "project__district"
    q = django_filters.CharFilter(
        label=_("Serial number, project or vendor"),
        method=_text_filter("serial", "project__name", "project__permit_no", "vendor__name"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DeviceKind.choices, empty_label=_("All"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=DeviceState.choices, empty_label=_("All"))
    online = django_filters.BooleanFilter(
        label=_("Online now"), method="by_reach", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Device
        fields = ["q", "kind", "state", "online", "province", "city", "district"]

    def by_reach(self, queryset, name, value):
        if value is None:
            return queryset
        reachable = Device.reachable_q(timezone.now())
        return queryset.filter(reachable) if value else queryset.exclude(reachable)


DEVICES = ListSpec(
    name="devices",
    title=_("Devices"),
    filterset=DeviceListFilter,
    default_order=("project__district__code", "project__permit_no", "serial"),
    empty=_("No device."),
    columns=(
        Column(
            "serial",
            _("Serial number"),
            lambda d: d.serial,
            ("serial",),
            link=lambda d: reverse("dashboard:device", args=[d.serial]),
            width=20,
        ),
        Column(
            "project",
            _("Project"),
            lambda d: d.project.name,
            ("project__name",),
            link=_project_link("project"),
            width=30,
        ),
        Column("district", _("District"), lambda d: d.project.district.name, ("project__district__code",), width=10),
        Column("vendor", _("Vendor"), lambda d: d.vendor.name, ("vendor__name",), width=24),
        Column("kind", _("Kind"), lambda d: d.get_kind_display(), ("kind",), width=10),
        Column("state", _("State"), lambda d: d.get_state_display(), ("state",), width=8),
        Column("online", _("Online now"), lambda d: d.reachable, ("online",), width=8),
        Column("contact", _("Last contact"), lambda d: d.last_contact_at, ("last_contact_at",), width=18),
    ),
)


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    rows = Device.objects.restrict(request.user, "view").select_related("project__district", "vendor")
    return list_page(request, DEVICES, rows)


# --- 检查记录 ------------------------------------------------------------------------------------------------


class InspectionListFilter(RegionFilterSet):
    region_path = "project__district"
    q = django_filters.CharFilter(
        label=_("Project, permit number or inspector"),
        method=_text_filter("project__name", "project__permit_no", "inspectors"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InspectionKind.choices, empty_label=_("All"))
    since = _date_filter(_("From"), "day", "gte")
    until = _date_filter(_("Until"), "day", "lte")

    class Meta:
        model = Inspection
        form = PeriodForm
        fields = ["q", "kind", "since", "until", "province", "city", "district"]


def _finding_counts(request: HttpRequest, inspections: list) -> None:
    counts = dict(
        Inspection.objects.filter(pk__in=[i.pk for i in inspections])
        .annotate(n=Count("findings"))
        .values_list("pk", "n")
    )
    for inspection in inspections:
        inspection.finding_count = counts.get(inspection.pk, 0)


INSPECTIONS = ListSpec(
    name="inspections",
    title=_("Inspections"),
    filterset=InspectionListFilter,
    default_order=("-day", "-pk"),
    empty=_("No inspection."),
    decorate=_finding_counts,
    columns=(
        Column("day", _("Date"), lambda i: i.day, ("day",), width=14),
        Column(
            "project",
            _("Project"),
            lambda i: i.project.name,
            ("project__name",),
            link=lambda i: f"{reverse('dashboard:project', args=[i.project.permit_no])}#inspections",
            width=30,
        ),
        Column("district", _("District"), lambda i: i.project.district.name, ("project__district__code",), width=10),
        Column("kind", _("Kind"), lambda i: i.get_kind_display(), ("kind",), width=14),
        Column("inspectors", _("Inspectors"), lambda i: i.inspectors, width=20),
        Column("headcount", _("Headcount on site"), lambda i: i.headcount, ("headcount",), width=10),
        Column("findings", _("Findings"), lambda i: i.finding_count, width=8),
    ),
)


@login_required
def inspections(request: HttpRequest) -> HttpResponse:
    rows = Inspection.objects.restrict(request.user, "view").select_related("project__district")
    return list_page(request, INSPECTIONS, rows)
