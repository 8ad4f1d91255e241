"""列表: every list page of the dashboard is one `ListSpec` rendered by `list_page`, so that each works as
the national and provincial platforms' lists do and as the others here do: a filter set (with the
cascading 省/市/区 selects of the account's jurisdiction), 序号, sortable columns, "共N条" with pages and
a page size, and 导出Excel of exactly the filtered rows (audit-logged, ID numbers masked as on the page).

A list states its columns once: the page's cells and the workbook's columns are the same `Column`s,
so that an export can never say something the page does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.choices import RegionLevel
from projects.models import Project, Region
from projects.scope import scope_of
from reports.services import XLSX
from reports.workbooks import layout
from smz_platform.common.audit import audit_event_record
from smz_platform.common.dates import chinese_date, chinese_datetime
from smz_platform.common.models import AuditAction

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 20
EXPORT_LIMIT = 5000  # rows one workbook holds; the title says when the filter holds more
LIST_TEMPLATE = "reports/dashboard/list.html"


def shown(value: Any) -> str:
    """A cell as a regulator reads it: dates in Chinese, nothing as "—", yes/no in words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return chinese_datetime(value)
    if isinstance(value, dt.date):
        return chinese_date(value)
    return str(value)


@dataclass(frozen=True)
class Column:
    """One column: its header, the cell's value (the page and the workbook show the same), the rows'
    order when it is sorted on (none: not sortable), and where the cell links to on the page."""

    name: str
    label: str
    value: Callable[[Any], Any]
    order: tuple[str, ...] = ()
    link: Callable[[Any], str] | None = None
    width: int = 16  # the workbook's column width, in characters


@dataclass(frozen=True)
class ListSpec:
    name: str  # the workbook's file name and the audit log's word for the list
    title: str
    columns: tuple[Column, ...]
    filterset: type[django_filters.FilterSet]
    default_order: tuple[str, ...]
    note: str = ""
    empty: str = gettext_lazy("Nothing matches.")
    # Per-page work on the shown rows (one query for a page, not one per row): e.g. a case's measures.
    decorate: Callable[[HttpRequest, list], None] | None = None


# --- the region filter: 省/市/区 of the account's jurisdiction -------------------------------------------


class RegionSelect(forms.Select):
    """A select whose options carry their parent region's code, so that the page narrows the next
    select to the chosen one's children (tables.js) and works without a script as well."""

    def __init__(self, parents: dict[str, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = parents

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.parents:
            option["attrs"]["data-parent"] = self.parents[value]
        return option


def offered_districts(user) -> list[Region]:
    """The districts a list's region filter offers: a regulator's jurisdiction, or for a firm the districts
    of the projects it reads."""
    districts = scope_of(user).districts()
    if not districts.exists():
        districts = Region.objects.filter(pk__in=Project.objects.restrict(user, "view").values("district_id"))
    return list(districts.select_related("parent__parent").order_by("code"))


class RegionFilterSet(django_filters.FilterSet):
    """A filter set with 省/市/区 selects over `region_path` (the rows' district, e.g. "project__district");
    a level is offered only where the account reads more than one region of it."""

    region_path = "district"

    province = django_filters.ChoiceFilter(label=gettext_lazy("Province"), method="by_region")
    city = django_filters.ChoiceFilter(label=gettext_lazy("City"), method="by_region")
    district = django_filters.ChoiceFilter(label=gettext_lazy("District"), method="by_region")

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        districts = offered_districts(request.user)
        cities = {d.parent.code: d.parent for d in districts if d.parent and d.parent.level == RegionLevel.CITY}
        provinces = {c.parent.code: c.parent for c in cities.values() if c.parent}
        levels = {
            "province": (sorted(provinces.values(), key=lambda r: r.code), {}),
            "city": (
                sorted(cities.values(), key=lambda r: r.code),
                {c.code: c.parent.code for c in cities.values() if c.parent},
            ),
            "district": (districts, {d.code: d.parent.code for d in districts if d.parent}),
        }
        for name, (regions, parents) in levels.items():
            field_ = self.filters[name]
            # A level with one region is the account's own: no select, but a link's ?district= still works.
            field_.extra["choices"] = [(r.code, r.name) for r in regions]
            field_.extra["widget"] = RegionSelect(parents) if len(regions) > 1 else forms.HiddenInput
            field_.extra["empty_label"] = _("All")

    def by_region(self, queryset, name, value):
        path = {"province": "__parent__parent", "city": "__parent", "district": ""}[name]
        return queryset.filter(**{f"{self.region_path}{path}__code": value})


# --- the page ----------------------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    link: str = ""


@dataclass
class Row:
    number: int  # 序号
    item: Any
    cells: list[Cell] = field(default_factory=list)


def _order(spec: ListSpec, requested: str) -> tuple[str, tuple[str, ...]]:
    by_name = {c.name: c for c in spec.columns if c.order}
    name = requested.lstrip("-")
    if name not in by_name:
        return "", spec.default_order
    descending = requested.startswith("-")
    fields = tuple((f[1:] if f.startswith("-") else f"-{f}") if descending else f for f in by_name[name].order)
    return requested, (*fields, "-pk" if descending else "pk")


def page_size(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _cells(spec: ListSpec, item) -> list[Cell]:
    return [Cell(shown(c.value(item)), c.link(item) if c.link else "") for c in spec.columns]


def list_page(
    request: HttpRequest,
    spec: ListSpec,
    queryset: QuerySet,
    *,
    template: str = LIST_TEMPLATE,
    context: dict | None = None,
) -> HttpResponse:
    """The list filtered, sorted and paged as the address asks, or (``?export=xlsx``) its workbook."""
    filtered = spec.filterset(request.GET, queryset=queryset, request=request)
    valid = filtered.is_valid()
    order, ordering = _order(spec, request.GET.get("o", ""))
    rows = filtered.qs.order_by(*ordering) if valid else queryset.none()
    if request.GET.get("export") == "xlsx" and valid:
        return _export(request, spec, rows)
    size = page_size(request.GET.get("size"))
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    items = list(page)
    if spec.decorate:
        spec.decorate(request, items)
    params = request.GET.copy()
    for key in ("page", "export"):
        params.pop(key, None)
    sorts = []
    for column in spec.columns:
        if not column.order:
            sorts.append((column, "", ""))
            continue
        toggled = params.copy()
        toggled["o"] = f"-{column.name}" if order == column.name else column.name
        state = "asc" if order == column.name else "desc" if order == f"-{column.name}" else ""
        sorts.append((column, toggled.urlencode(), state))
    exported = params.copy()
    exported["export"] = "xlsx"
    page_params = params.copy()
    return render(
        request,
        template,
        {
            "spec": spec,
            "filter": filtered,
            "page": page,
            "sorts": sorts,
            "size": size,
            "sizes": PAGE_SIZES,
            "rows": [Row(page.start_index() + i, item, _cells(spec, item)) for i, item in enumerate(items)],
            "query": page_params.urlencode(),
            "size_query": query_without(page_params, "size"),
            "export_query": exported.urlencode(),
            "export_limit": EXPORT_LIMIT,
            **(context or {}),
        },
        status=200 if valid else 400,
    )


def _export(request: HttpRequest, spec: ListSpec, rows: QuerySet) -> HttpResponse:
    total = rows.count()
    items = list(rows[:EXPORT_LIMIT])
    if spec.decorate:
        spec.decorate(request, items)
    exported = timezone.localtime()
    held = (
        _("%(n)d rows") % {"n": total}
        if total <= EXPORT_LIMIT
        else _("%(n)d rows, the first %(limit)d here") % {"n": total, "limit": EXPORT_LIMIT}
    )
    title = f"{spec.title}（{chinese_datetime(exported)}导出，{held}）"
    audit_event_record(
        user=request.user,
        action=AuditAction.EXPORT,
        what=f"导出{spec.title}（{len(items)}条）",
        record_count=len(items),
        request=request,
    )
    response = HttpResponse(workbook(spec, items, title=title), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{spec.name}.xlsx"
    return response


def workbook(spec: ListSpec, items: Sequence, *, title: str) -> bytes:
    wb = layout.workbook()
    widths = [7, *(c.width for c in spec.columns)]
    ws = layout.sheet(
        wb,
        str(spec.title)[:31],
        widths=widths,
        landscape=len(widths) > 6,
        generated_at=timezone.localtime(),
        header_rows=2,
    )
    layout.title(ws, 1, title, len(widths), size=14)
    layout.header(ws, [_("No."), *(str(c.label) for c in spec.columns)])
    for number, item in enumerate(items, start=1):
        layout.row(ws, [number, *(shown(c.value(item)) for c in spec.columns)], centred=(0,))
    return layout.to_bytes(wb)


def query_without(params: QueryDict, *keys: str) -> str:
    kept = params.copy()
    for key in keys:
        kept.pop(key, None)
    return kept.urlencode()
