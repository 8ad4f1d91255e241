"""Alert triage that scales (issue 15): the list filtered by project name, sorted by any column, grouped
by project, rule and period (R11's managers of one project and month on one row), new-since-yesterday
as the triage's own view, bulk actions on the ticked rows or on everything the filter holds, and the
filtered list exported (audit-logged)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import django_filters
from django import forms
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.filters import AlertFilter
from inspections.models import Alert
from inspections.models.rules import Handling
from inspections.rules import registry, rule
from inspections.selectors.handling import to_handle_q
from projects.models import Project
from reports.dashboard.lists import RegionFilterSet
from reports.dashboard.requests import date_input
from reports.workbooks import layout
from smz_platform.common.dates import chinese_datetime

BULK_LIMIT = 500  # alerts one bulk action changes


class TriageFilter(RegionFilterSet, AlertFilter):
    """The triage page's filters: the API's (inspections.filters.AlertFilter) with the lists' 省/市/区
    selects, a rule by name, a project by name, and the page's own views (new since yesterday, 未处理)."""

    region_path = "project__district"
    rule = django_filters.ChoiceFilter(label=_("Rule"), empty_label=_("Every rule"))
    project_name = django_filters.CharFilter(label=_("Project name or permit number"), method="by_project")
    handling = django_filters.ChoiceFilter(label=_("State"), choices=Handling.choices, empty_label=_("Every state"))
    since = django_filters.DateFilter(label=_("From"), field_name="period_end", lookup_expr="gte", widget=date_input())
    until = django_filters.DateFilter(label=_("To"), field_name="period_start", lookup_expr="lte", widget=date_input())
    new = django_filters.ChoiceFilter(choices=[("1", "1")], method="new_since_yesterday", widget=forms.HiddenInput)
    # 未处理 (待处理 and 已确认, in no case): what the overview's card counts (inspections.selectors.handling).
    live = django_filters.ChoiceFilter(choices=[("1", "1")], method="still_live", widget=forms.HiddenInput)
    o = django_filters.OrderingFilter(
        fields=(
            ("rule", "rule"),
            ("project__district__code", "district"),
            ("project__name", "project"),
            ("subject", "subject"),
            ("period_start", "period"),
            ("handling", "state"),
            ("first_detected", "first"),
            ("last_seen", "last_seen"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta(AlertFilter.Meta):
        fields = [
            "rule",
            "project_name",
            "handling",
            "since",
            "until",
            "province",
            "city",
            "district",
            "project",
            "state",
            "new",
            "live",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["rule"].extra["choices"] = [(spec.code, f"{spec.code} {spec.label}") for spec in registry()]
        for name in ("project", "state"):  # the API's, kept for links: not offered on the form
            self.filters[name].extra["widget"] = forms.HiddenInput

    def by_project(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(project__name__icontains=value) | Q(project__permit_no__icontains=value))

    def still_live(self, queryset, name, value):
        return queryset.filter(to_handle_q()) if value == "1" else queryset

    def new_since_yesterday(self, queryset, name, value):
        if value != "1":
            return queryset
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        since = dt.datetime.combine(yesterday, dt.time.min, tzinfo=timezone.get_current_timezone())
        return queryset.filter(first_detected__gte=since)


@dataclass(frozen=True)
class Listed:
    """An alert as a grouped row names it."""

    pk: int
    subject: str
    handling: str
    last_seen: dt.datetime

    @property
    def handling_label(self) -> str:
        return str(Handling(self.handling).label)


@dataclass
class Row:
    """One line of the list: the alerts of one project, rule and period."""

    rule: str
    label: str
    project: object
    period_start: dt.date
    period_end: dt.date
    alerts: list[Listed] = field(default_factory=list)

    @property
    def ids(self) -> str:
        return ",".join(str(a.pk) for a in self.alerts)

    @property
    def subjects(self) -> str:
        names = [a.subject for a in self.alerts]
        return "、".join(names[:8]) + (f" 等{len(names)}项" if len(names) > 8 else "")

    @property
    def states(self) -> str:
        return "、".join(sorted({a.handling_label for a in self.alerts}))

    @property
    def last_seen(self):
        return max(a.last_seen for a in self.alerts)


class Groups:
    """The rows of a filtered list, counted, ordered and cut into pages by PostgreSQL: a page groups the
    alerts of its own rows only, whatever the number of alerts the filter holds (a Paginator's object list).

    A row's place is where its first alert would stand in the alerts' order: for each ordering term the
    row's lowest value ascending, its highest descending (the default, the newest last seen first, puts
    a row where its newest alert is)."""

    KEY = ("project_id", "rule", "period_start", "period_end")

    def __init__(self, alerts: QuerySet[Alert]) -> None:
        self.alerts = alerts
        terms = [term for term in alerts.query.order_by if isinstance(term, str)]
        places = {
            f"place_{n}": (Max if term.startswith("-") else Min)(term.lstrip("-")) for n, term in enumerate(terms)
        }
        order = [f"-{name}" if term.startswith("-") else name for name, term in zip(places, terms, strict=True)]
        self.groups = alerts.order_by().values(*self.KEY).annotate(**places).order_by(*order, *self.KEY)

    @cached_property
    def totals(self) -> tuple[int, int]:
        """The rows and the alerts they gather, counted in one pass."""
        counted = self.groups.annotate(n=Count("pk")).aggregate(rows=Count("*"), alerts=Sum("n"))
        return counted["rows"], counted["alerts"] or 0

    def count(self) -> int:
        return self.totals[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part: slice) -> list[Row]:
        keys = [tuple(group[name] for name in self.KEY) for group in self.groups[part]]
        if not keys:
            return []
        which = Q()
        for key in keys:
            which |= Q(**dict(zip(self.KEY, key, strict=True)))
        # A row may gather hundreds of alerts (a city's R13 workers of one project): read them as the few
        # columns a row shows, and each row's project once.
        listed = self.alerts.filter(which).values_list(*self.KEY, "pk", "subject", "handling", "last_seen")
        projects = Project.objects.select_related("district").in_bulk({key[0] for key in keys})
        rows: dict[tuple, Row] = {}
        for project_id, code, start, end, *shown in listed:
            key = (project_id, code, start, end)
            if key not in rows:
                rows[key] = Row(code, str(rule(code).label), projects[project_id], start, end)
            rows[key].alerts.append(Listed(*shown))
        return [rows[key] for key in keys if key in rows]


def ticked_ids(values: list[str]) -> list[int]:
    """The ticked rows' alert ids (a grouped row carries several: "3,4,5")."""
    ids = [int(part) for value in values for part in value.split(",") if part.strip().isdigit()]
    return list(dict.fromkeys(ids))[:BULK_LIMIT]


def export_workbook(alerts: list[Alert], *, title: str) -> bytes:
    wb = layout.workbook()
    widths = [7, 22, 10, 34, 22, 34, 20, 10, 16, 16]
    ws = layout.sheet(wb, "预警清单", widths=widths, landscape=True, generated_at=timezone.localtime(), header_rows=2)
    layout.title(ws, 1, title, len(widths), size=14)
    layout.header(
        ws, ["规则", "规则名称", "区县", "项目名称", "施工许可证编号", "对象", "期间", "状态", "首次发现", "最后发现"]
    )
    for a in alerts:
        layout.row(
            ws,
            [
                a.rule,
                str(rule(a.rule).label),
                a.project.district.name,
                a.project.name,
                a.project.permit_no,
                a.subject,
                f"{layout.chinese_date(a.period_start)}至{layout.chinese_date(a.period_end)}",
                a.handling_label,
                chinese_datetime(a.first_detected),
                chinese_datetime(a.last_seen),
            ],
            centred=(0, 7),
        )
    return layout.to_bytes(wb)
