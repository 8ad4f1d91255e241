"""Annex 1 of 甬建函〔2023〕82号 — 实名制管理专项整治行动查处情况统计表: what each row counts (docs/rules.md
names the rules of rows 2–4), computed set-based for any set of districts and any period, with the projects behind each
number so that the detail sheet and the tests can check it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Count, Q
from django.utils import translation

from inspections.choices import STANDING, MeasureKind
from inspections.models import Alert, AlertState, InspectionFinding, Measure
from inspections.rules import annex1_rows
from inspections.rules import rule as rule_spec
from inspections.selectors import policies_in_force, projects_active_between
from projects.models import Enterprise, Project, Region
from projects.selectors import in_scope_q
from smz_platform.common.dates import chinese_date


@dataclass(frozen=True)
class Row:
    """One row of Annex 1: its number, the notice's words, and what feeds it. A row counts projects in
    the period (ACTIVE), projects with a finding of the rules that name the row in their SPEC's
    annex1_row (FINDINGS), projects with a standing measure of a kind (MEASURE), or the vendors with one
    (VENDORS: once each in a city or province, however many districts issued it)."""

    number: int
    label: str
    feed: str
    measure: str | None = None


ACTIVE, FINDINGS, MEASURE, VENDORS = "active", "findings", "measure", "vendors"

# The nine rows, worded exactly as the notice's table (甬建函〔2023〕82号, 附件1); the workbook, the detail
# sheet, the totals and the 报送 page iterate over this declaration and nothing else.
ROWS = (
    Row(1, "在建项目数", ACTIVE),
    Row(2, "应考勤未考勤项目数", FINDINGS),
    Row(3, "实名制数据虚假项目数", FINDINGS),
    Row(4, "擅自改造考勤设备项目数", FINDINGS),
    Row(5, "责令停工整改项目数", MEASURE, MeasureKind.STOP_WORK),
    Row(6, "信用惩戒项目数", MEASURE, MeasureKind.CREDIT),
    Row(7, "通报批评项目数", MEASURE, MeasureKind.CIRCULAR),
    Row(8, "重点监管项目数", MEASURE, MeasureKind.KEY_SUPERVISION),
    Row(9, "被列入“黑名单”的第三方服务商数", VENDORS, MeasureKind.VENDOR_BLACKLIST),
)
LABELS = tuple(row.label for row in ROWS)
PROJECT_ROWS = tuple(row.number for row in ROWS if row.feed != VENDORS)
MEASURE_ROWS = {row.number: row.measure for row in ROWS if row.feed == MEASURE}
VENDOR_MEASURES = tuple(row.measure for row in ROWS if row.feed == VENDORS)


def distinct_rows() -> tuple[bool, ...]:
    """Per row, in order: whether a total counts it once across its parts (vendors) instead of summing."""
    return tuple(row.feed == VENDORS for row in ROWS)


def finding_rules() -> tuple[str, ...]:
    return tuple(code for codes in annex1_rows().values() for code in codes)


def _notice_term(choices, value: str) -> str:
    """The notices' own term of a choice: the Chinese in the label's parentheses, whatever the language."""
    with translation.override(None):
        return str(choices(value).label).split("(")[-1].rstrip(")")


@cache
def measure_name(kind: str) -> str:
    return _notice_term(MeasureKind, kind)


def category_name(code: str) -> str:
    return rule_spec(code).name


def notes() -> tuple[str, ...]:
    """The 备注 of each row: where its number comes from."""
    finding = "统计期间内存在以下问题的项目：{}。问题指平台预警（未被监管人员排除）或检查记录中发现的问题。"
    measure = "统计期间内被下达“{}”措施的项目（不含待确认和已撤销的措施）。"
    words = {
        ACTIVE: lambda row: "统计期间内至少一天处于在建状态的项目（已开工，未竣工，未停止考勤）。",
        FINDINGS: lambda row: finding.format(
            "、".join(f"{r} {category_name(r)}" for r in annex1_rows().get(row.number, ()))
        ),
        MEASURE: lambda row: measure.format(measure_name(row.measure)),
        VENDORS: lambda row: "统计期间内被列入“黑名单”的第三方服务商，同一服务商多次列入的计1家。",
    }
    return tuple(words[row.feed](row) for row in ROWS)


@dataclass
class DistrictCount:
    """One district's Annex 1: the projects behind each project row and the vendors behind the vendors' row."""

    district: Region
    projects: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # row → project ids
    vendors: set[int] = field(default_factory=set)

    @property
    def counts(self) -> tuple[int, ...]:
        """The figure of each row, in ROWS' order."""
        return tuple(len(self.vendors) if row.feed == VENDORS else len(self.projects[row.number]) for row in ROWS)

    def rows_of(self, project_id: int) -> tuple[int, ...]:
        return tuple(n for n in PROJECT_ROWS if project_id in self.projects[n])

    @property
    def counted_projects(self) -> set[int]:
        return set().union(*(self.projects[n] for n in PROJECT_ROWS))


@dataclass(frozen=True)
class CountedProject:
    district: str
    name: str
    permit_no: str
    rows: tuple[int, ...]
    findings: str
    measures: str


@dataclass(frozen=True)
class BlacklistedVendor:
    district: str
    name: str
    uscc: str
    measures: str


def counted(districts, prefix: str = "") -> Q:
    """The projects Annex 1 counts: those of the districts, and where a district's policy judges only the
    real-name scope (中山 2019 上线通知 二), only those within it."""
    book = policies_in_force()
    narrow = [d.pk for d in districts if book.for_district(d.pk).scope_only]
    condition = Q(**{f"{prefix}district__in": districts})
    if narrow:
        condition &= ~(Q(**{f"{prefix}district__in": narrow}) & ~in_scope_q(prefix))
    return condition


def annex1_counts(*, districts: list[Region], start: dt.date, end: dt.date) -> dict[int, DistrictCount]:
    """Per district: five grouped queries whatever the number of projects."""
    result = {d.pk: DistrictCount(d) for d in districts}
    for pk, district_id in (
        projects_active_between(start, end).filter(counted(districts)).values_list("pk", "district_id")
    ):
        result[district_id].projects[1].add(pk)
    for project_id, district_id, rule in _finding_pairs(districts, start, end):
        for n, rules in annex1_rows().items():
            if rule in rules:
                result[district_id].projects[n].add(project_id)
    by_kind = {kind: n for n, kind in MEASURE_ROWS.items()}
    for project_id, district_id, kind, vendor_id in _standing_measures(districts, start, end).values_list(
        "case__project_id", "case__project__district_id", "kind", "target_enterprise_id"
    ):
        if kind in VENDOR_MEASURES:
            result[district_id].vendors.add(vendor_id)
        else:
            result[district_id].projects[by_kind[kind]].add(project_id)
    return result


def _alerts(districts, start: dt.date, end: dt.date):
    """Scored alerts about the period (their period overlaps it) that staff have not dismissed: a finding of
    the trial period counts nowhere (中山 2019 上线通知 四(四))."""
    return Alert.objects.filter(
        counted(districts, "project__"),
        period_start__lte=end,
        period_end__gte=start,
        rule__in=finding_rules(),
        scored=True,
    ).exclude(state=AlertState.DISMISSED)


def _inspection_findings(districts, start: dt.date, end: dt.date):
    return InspectionFinding.objects.filter(
        counted(districts, "inspection__project__"),
        inspection__day__gte=start,
        inspection__day__lte=end,
        category__in=finding_rules(),
    )


def _standing_measures(districts, start: dt.date, end: dt.date):
    return Measure.objects.filter(
        counted(districts, "case__project__"),
        state__in=STANDING,
        issued_on__gte=start,
        issued_on__lte=end,
        kind__in=[*MEASURE_ROWS.values(), *VENDOR_MEASURES],
    )


def _finding_pairs(districts, start, end) -> set[tuple[int, int, str]]:
    pairs = set(_alerts(districts, start, end).values_list("project_id", "project__district_id", "rule").distinct())
    pairs |= set(
        _inspection_findings(districts, start, end)
        .values_list("inspection__project_id", "inspection__project__district_id", "category")
        .distinct()
    )
    return pairs


def annex1_detail(
    *, counts: dict[int, DistrictCount], start: dt.date, end: dt.date
) -> tuple[list[CountedProject], list[BlacklistedVendor]]:
    """Every counted project with its findings and measures; every blacklisted vendor."""
    districts = [c.district for c in counts.values()]
    names = {d.pk: d.name for d in districts}
    project_ids = set().union(*(c.counted_projects for c in counts.values())) if counts else set()
    findings = defaultdict(list)
    for project_id, rule, n in (
        _alerts(districts, start, end).values_list("project_id", "rule").annotate(n=Count("id")).order_by("rule")
    ):
        findings[project_id].append(f"预警 {rule} {category_name(rule)}（{n}条）")
    for project_id, category, day, kind in (
        _inspection_findings(districts, start, end)
        .order_by("inspection__day", "pk")
        .values_list("inspection__project_id", "category", "inspection__day", "inspection__kind")
    ):
        where = "线上巡查" if kind == "online_patrol" else "现场检查"
        findings[project_id].append(f"{where} {chinese_date(day)} {category} {category_name(category)}")
    measures = defaultdict(list)
    vendors: dict[tuple[int, int], list[str]] = defaultdict(list)
    for project_id, district_id, kind, day, number, vendor_id in (
        _standing_measures(districts, start, end)
        .order_by("issued_on", "pk")
        .values_list(
            "case__project_id", "case__project__district_id", "kind", "issued_on", "document_no", "target_enterprise_id"
        )
    ):
        text = f"{measure_name(kind)}（{chinese_date(day)}{'，' + number if number else ''}）"
        measures[project_id].append(text)
        if kind in VENDOR_MEASURES:
            vendors[(district_id, vendor_id)].append(text)
    projects = {
        p["pk"]: p for p in Project.objects.filter(pk__in=project_ids).values("pk", "name", "permit_no", "district_id")
    }
    rows = []
    for count in counts.values():
        for pk in sorted(count.counted_projects, key=lambda pk: projects[pk]["permit_no"]):
            p = projects[pk]
            rows.append(
                CountedProject(
                    names[p["district_id"]],
                    p["name"],
                    p["permit_no"],
                    count.rows_of(pk),
                    "；".join(findings[pk]) or "—",
                    "；".join(measures[pk]) or "—",
                )
            )
    vendor_ids = {vendor_id for _district, vendor_id in vendors}
    enterprises = {
        pk: (name, uscc)
        for pk, name, uscc in Enterprise.objects.filter(pk__in=vendor_ids).values_list("pk", "name", "uscc")
    }
    blacklisted = [
        BlacklistedVendor(names[district_id], *enterprises[vendor_id], "；".join(texts))
        for (district_id, vendor_id), texts in sorted(vendors.items())
    ]
    return rows, blacklisted
