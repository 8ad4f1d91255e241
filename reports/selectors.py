"""Reads of the reports: plain rows for the workbooks, each set-based over the jurisdiction asked for."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from inspections.choices import STANDING, InspectionKind, MeasureKind
from inspections.models import Alert, AlertState, Case, Inspection, InspectionFinding, Measure
from inspections.rules import rule as rule_spec
from inspections.selectors import (
    ProjectPresence,
    attended_presence,
    month_presence,
    projects_active_between,
    projects_judged,
)
from projects.choices import CodeTable, ParticipantRole, RegionLevel
from projects.models import Engagement, Project, ReferenceCode, Region, User
from projects.selectors import position_names
from reports.annex1 import annex1_counts, annex1_detail, category_name, distinct_rows, measure_name, notes
from reports.workbooks.annex1 import Annex1Book, Annex1Sheet
from smz_platform.common.dates import chinese_date
from smz_platform.common.months import month_end

CITY_TOTAL = "全市合计"
PROVINCE_TOTAL = "全省合计"


def bureau(region: Region) -> str:
    # A province's department is a 厅, a city's or a district's a 局.
    return f"{region.name}住房和城乡建设{'厅' if region.level == RegionLevel.PROVINCE else '局'}"


def reporter_of(user: User | None) -> tuple[str, str]:
    if user is None:  # a workbook the platform prepared: the district fills in its reporter when it prepares again
        return "", ""
    # Chinese names read family name first: 李 + 明. Never the login name on an official form: left blank
    # to be written in by hand (the reports page asks the account for its name).
    return reporter_name(user), (getattr(user, "phone", "") or "")


def reporter_name(user: User) -> str:
    return f"{user.last_name}{user.first_name}".strip()


def annex1_book(
    *,
    user: User | None,  # None: a draft the platform prepared (no reporter yet)
    city: Region,
    district: Region | None,
    start: dt.date,
    end: dt.date,
    districts: list[Region] | None = None,
) -> Annex1Book:
    """A district's Annex 1, or the city's: a sheet per district and the total (sums of the districts)."""
    if district is not None:
        districts = [district]
    elif districts is None:
        districts = list(Region.objects.filter(parent=city).order_by("code"))
    counts = annex1_counts(districts=districts, start=start, end=end)
    projects, vendors = annex1_detail(counts=counts, start=start, end=end)
    sheets = [Annex1Sheet(d.name, bureau(d), counts[d.pk].counts, notes()) for d in districts]
    if district is None:
        # The project rows add up the districts (a project is in one district); the vendors' row counts each
        # vendor once in the city, however many districts blacklisted it (甬建函〔2023〕82号 附件1 counts 服务商).
        distinct = len(set().union(*(c.vendors for c in counts.values()))) if counts else 0
        total, total_notes = _totals(
            [sheet.counts for sheet in sheets], distinct, "全市去重计数（各区县数之和为{}家）。"
        )
        sheets.append(Annex1Sheet(CITY_TOTAL, bureau(city), total, total_notes))
    reporter, phone = reporter_of(user)
    return Annex1Book(
        reporter=reporter,
        phone=phone,
        filled_on=timezone.localdate(),
        start=start,
        end=end,
        generated_at=timezone.localtime(),
        sheets=sheets,
        projects=projects,
        vendors=vendors,
    )


def _totals(parts: list[tuple[int, ...]], distinct: int, said: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """A total's figures and notes: a row of projects is the sum of its parts (a project is in one
    district); the vendors' row counts each vendor once (`distinct`), and its note says what the parts
    add up to."""
    figures, words = [], []
    for n, (once, note) in enumerate(zip(distinct_rows(), notes(), strict=True)):
        summed = sum(part[n] for part in parts)
        figures.append(distinct if once else summed)
        words.append(f"{note}{said.format(summed)}" if once and said else note)
    return tuple(figures), tuple(words)


def annex1_province_book(*, user: User, province: Region, start: dt.date, end: dt.date) -> Annex1Book:
    """The province's Annex 1 (省级汇总): a sheet per city, each the sum of its districts, and the
    province's total, the sum of its cities; row 9 counts each vendor once in a city, and once in the
    province however many cities blacklisted it."""
    cities = list(Region.objects.filter(parent=province, level=RegionLevel.CITY).order_by("code"))
    districts = list(Region.objects.filter(parent__in=cities).order_by("code"))
    counts = annex1_counts(districts=districts, start=start, end=end)
    projects, vendors = annex1_detail(counts=counts, start=start, end=end)
    sheets, every_vendor = [], set()
    for city in cities:
        own = [counts[d.pk] for d in districts if d.parent_id == city.pk]
        city_vendors = set().union(*(c.vendors for c in own)) if own else set()
        every_vendor |= city_vendors
        figures, _notes = _totals([c.counts for c in own], len(city_vendors), "")
        sheets.append(Annex1Sheet(city.name, bureau(city), figures, notes()))
    total, total_notes = _totals(
        [sheet.counts for sheet in sheets], len(every_vendor), "全省去重计数（各市数之和为{}家）。"
    )
    sheets.append(Annex1Sheet(PROVINCE_TOTAL, bureau(province), total, total_notes))
    reporter, phone = reporter_of(user)
    return Annex1Book(
        reporter=reporter,
        phone=phone,
        filled_on=timezone.localdate(),
        start=start,
        end=end,
        generated_at=timezone.localtime(),
        sheets=sheets,
        projects=projects,
        vendors=vendors,
    )


# --- Annex 2 --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDossier:
    unit: str
    title: str
    project_info: str
    behaviour: str
    measures: str


def case_dossier(*, case: Case) -> CaseDossier:
    project = case.project
    by_role = defaultdict(list)
    for role, name, blacklisted in project.participants.values_list(
        "role", "enterprise__name", "enterprise__blacklisted_on"
    ).order_by("pk"):
        by_role[role].append(f"{name}（{chinese_date(blacklisted)}列入黑名单）" if blacklisted else name)
    vendors = by_role[ParticipantRole.VENDOR] or list(project.devices.values_list("vendor__name", flat=True).distinct())
    info = [
        f"工程名称：{project.name}",
        f"施工许可证编号：{project.permit_no}；所在区县：{project.district.name}；工程地点：{project.address or '—'}",
        f"建设单位：{'、'.join(by_role[ParticipantRole.OWNER]) or '—'}",
        f"施工总承包单位：{'、'.join(by_role[ParticipantRole.CONTRACTOR]) or '—'}",
        f"监理单位：{'、'.join(by_role[ParticipantRole.SUPERVISOR]) or '—'}",
        f"分包单位：{'、'.join(by_role[ParticipantRole.SUBCONTRACTOR]) or '—'}",
        f"第三方服务商：{'、'.join(vendors) or '—'}",
    ]
    behaviour = []
    for alert in case.alerts.exclude(state=AlertState.DISMISSED).order_by("period_start", "pk"):
        period = chinese_date(alert.period_start) + (
            f"至{chinese_date(alert.period_end)}" if alert.period_end != alert.period_start else ""
        )
        describe = rule_spec(alert.rule).describe
        said = describe(alert) if describe is not None else ""  # every rule describes (tests/…/test_registry.py)
        behaviour.append(f"平台预警 {alert.rule} {category_name(alert.rule)}（{period}）：{said}")
    for finding in case.findings.select_related("inspection").order_by("inspection__day", "pk"):
        inspection = finding.inspection
        kind = InspectionKind(inspection.kind).label.split("(")[-1].rstrip(")")
        headcount = f"，现场清点{inspection.headcount}人" if inspection.headcount is not None else ""
        behaviour.append(
            f"{kind}（{chinese_date(inspection.day)}，{inspection.inspectors}{headcount}）"
            f"{finding.category} {category_name(finding.category)}：{finding.description}"
        )
    if not behaviour:
        # Neither an alert nor a finding is linked (a case opened by hand, or its alerts dismissed): the
        # behaviour is what the standing measures were issued for, never a bare "—".
        seen = set()
        for m in case.measures.filter(state__in=STANDING).exclude(basis="").order_by("issued_on", "pk"):
            if m.basis not in seen:
                seen.add(m.basis)
                behaviour.append(
                    f"{m.basis} {category_name(m.basis)}（{case.title}；据此于{chinese_date(m.issued_on)}"
                    f"下达{measure_name(m.kind)}）"
                )
        if not behaviour:
            behaviour.append(f"{case.title}（{chinese_date(timezone.localtime(case.opened_at).date())}立案）")
    measures = []
    for m in (
        case.measures.filter(state__in=STANDING)
        .select_related("target_enterprise", "target_person")
        .order_by("issued_on", "pk")
    ):
        parts = [f"{chinese_date(m.issued_on)} {m.issuing_body} {measure_name(m.kind)}"]
        if m.document_no:
            parts.append(f"文号{m.document_no}")
        if m.deadline:
            parts.append(f"整改期限{chinese_date(m.deadline)}")
        if m.fine_yuan:
            parts.append(f"罚款{int(m.fine_yuan):,}元")
        if m.kind == MeasureKind.CREDIT:
            points = m.credit_records.filter(scored=True).values_list("points", flat=True).first()
            parts.append(f"扣{points}分" if points else "试运行期内不扣分")
        targets = [
            t for t in (m.target_enterprise and m.target_enterprise.name, m.target_person and m.target_person.name) if t
        ]
        if targets:
            parts.append(f"对象：{'、'.join(targets)}")
        parts.append(f"办理状态：{m.get_state_display().split('(')[-1].rstrip(')')}")
        measures.append("，".join(parts))
    numbered = lambda items: "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1)) or "—"  # noqa: E731
    return CaseDossier(
        unit=bureau(project.district),
        title=case.title,
        project_info="\n".join(info),
        behaviour=numbered(behaviour),
        measures=numbered(measures),
    )


# --- Monthly manager presence ----------------------------------------------------------------------


@dataclass(frozen=True)
class ManagerRow:
    district: str
    project: str
    permit_no: str
    name: str
    id_number: str  # masked
    position: str
    attended_days: int
    construction_days: int
    ratio: float | None
    threshold: float
    passed: bool


def month_span(month: dt.date, today: dt.date) -> dt.date:
    return min(month_end(month), today)


def monthly_presence(
    *, districts: list[Region], month: dt.date, until: dt.date | None = None
) -> dict[int, ProjectPresence]:
    """Every project of the districts under construction in the month, with its presence to date."""
    until = until or month_span(month, timezone.localdate())
    projects = list(projects_judged().filter(district__in=districts))
    return {pk: p for pk, p in month_presence(projects=projects, month=month, until=until).items() if p.judged}


def manager_rows(*, districts: list[Region], month: dt.date) -> list[ManagerRow]:
    results = monthly_presence(districts=districts, month=month)
    names = {d.pk: d.name for d in districts}
    positions = position_names()
    rows = []
    for presence in sorted(results.values(), key=lambda p: (p.project.district_id, p.project.permit_no)):
        project = presence.project
        for m in sorted(presence.managers, key=lambda m: (m.position != "project_manager", m.position, m.name)):
            rows.append(
                ManagerRow(
                    names[project.district_id],
                    project.name,
                    project.permit_no,
                    m.name,
                    m.id_number,
                    positions.get(m.position, m.position),
                    m.attended_days,
                    m.construction_days,
                    m.ratio,
                    m.threshold,
                    m.passed,
                )
            )
    return rows


# --- Monthly circular ------------------------------------------------------------------------------

CIRCULAR_MEASURES = (
    MeasureKind.RECTIFICATION,
    MeasureKind.STOP_WORK,
    MeasureKind.CREDIT,
    MeasureKind.CIRCULAR,
    MeasureKind.KEY_SUPERVISION,
    MeasureKind.VENDOR_BLACKLIST,
    MeasureKind.PENALTY,
)


@dataclass(frozen=True)
class CircularRow:
    district: str
    active_projects: int
    inspections: int
    inspected_projects: int
    findings: int
    measures: dict[str, int]
    managers_judged: int
    managers_passed: int
    worker_rate: float | None


@dataclass(frozen=True)
class NamedProject:
    district: str
    project: str
    permit_no: str
    contractor: str
    findings: str
    measures: str


def _by_district(queryset, field: str = "project__district_id") -> dict[int, int]:
    return dict(queryset.values(field).annotate(n=Count("id")).values_list(field, "n"))


def _managers_and_rates(districts: list[Region], month: dt.date):
    """Per district: managers judged and passed this month, and the projects' worker rates."""
    judged: defaultdict[int, int] = defaultdict(int)
    passed: defaultdict[int, int] = defaultdict(int)
    rates: defaultdict[int, list[float]] = defaultdict(list)
    for presence in monthly_presence(districts=districts, month=month).values():
        district_id = presence.project.district_id
        judged[district_id] += len(presence.managers)
        passed[district_id] += sum(1 for m in presence.managers if m.passed)
        if presence.workers.rate is not None:
            rates[district_id].append(presence.workers.rate)
    return judged, passed, rates


def _named_projects(districts: list[Region], standing, start: dt.date, end: dt.date) -> list[NamedProject]:
    """The projects given a measure in the month, with their findings and measures."""
    by_project = defaultdict(list)
    for project_id, kind, day in standing.order_by("issued_on", "pk").values_list(
        "case__project_id", "kind", "issued_on"
    ):
        by_project[project_id].append(f"{measure_name(kind)}（{day:%m月%d日}）")
    rules = defaultdict(set)
    for project_id, rule in (
        Alert.objects.filter(project_id__in=by_project, period_start__lte=end, period_end__gte=start)
        .exclude(state=AlertState.DISMISSED)
        .values_list("project_id", "rule")
        .distinct()
    ):
        rules[project_id].add(rule)
    contractors = dict(
        Project.objects.filter(pk__in=by_project, participants__role=ParticipantRole.CONTRACTOR).values_list(
            "pk", "participants__enterprise__name"
        )
    )
    names = {d.pk: d.name for d in districts}
    return [
        NamedProject(
            names[project.district_id],
            project.name,
            project.permit_no,
            contractors.get(project.pk, "—"),
            "、".join(f"{r} {category_name(r)}" for r in sorted(rules[project.pk])) or "—",
            "；".join(by_project[project.pk]),
        )
        for project in Project.objects.filter(pk__in=by_project).order_by("district__code", "permit_no")
    ]


def circular_rows(*, districts: list[Region], month: dt.date) -> tuple[list[CircularRow], list[NamedProject]]:
    """Per district: inspections, findings, measures, attendance rates; and the projects named (those
    given a measure in the month)."""
    rows, named, _rates = _circular(districts, month)
    return rows, named


def circular_province_rows(*, province: Region, month: dt.date):
    """The province's circular: a row per city (its districts added up; the worker rate is the mean over
    the city's projects, as a district's is over its own), each city's district rows, the projects named."""
    cities = list(Region.objects.filter(parent=province, level=RegionLevel.CITY).order_by("code"))
    districts = [d for city in cities for d in Region.objects.filter(parent=city).order_by("code")]
    rows, named, rates = _circular(districts, month)
    totals, per_city = [], []
    for city in cities:
        own = [(d, r) for d, r in zip(districts, rows, strict=True) if d.parent_id == city.pk]
        city_rates = [rate for d, _row in own for rate in rates[d.pk]]
        counted = {
            name: sum(getattr(r, name) for _d, r in own)
            for name in ("active_projects", "inspections", "inspected_projects", "findings")
        }
        totals.append(
            CircularRow(
                city.name,
                counted["active_projects"],
                counted["inspections"],
                counted["inspected_projects"],
                counted["findings"],
                {kind: sum(r.measures[kind] for _d, r in own) for kind in CIRCULAR_MEASURES},
                sum(r.managers_judged for _d, r in own),
                sum(r.managers_passed for _d, r in own),
                round(sum(city_rates) / len(city_rates), 3) if city_rates else None,
            )
        )
        per_city.append((city, [r for _d, r in own]))
    return totals, per_city, named


def _circular(districts: list[Region], month: dt.date):
    start, end = month, month_span(month, timezone.localdate())
    ids = [d.pk for d in districts]
    active = _by_district(projects_active_between(start, end).filter(district__in=ids), "district_id")
    inspections = {row["project__district_id"]: row for row in _inspection_counts(ids, start, end)}
    alerts = _by_district(
        Alert.objects.filter(project__district__in=ids, period_start__lte=end, period_end__gte=start).exclude(
            state=AlertState.DISMISSED
        )
    )
    found = _by_district(
        InspectionFinding.objects.filter(
            inspection__project__district__in=ids, inspection__day__gte=start, inspection__day__lte=end
        ),
        "inspection__project__district_id",
    )
    standing = Measure.objects.filter(
        case__project__district__in=ids, state__in=STANDING, issued_on__gte=start, issued_on__lte=end
    )
    measures: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for district_id, kind, n in standing.values_list("case__project__district_id", "kind").annotate(n=Count("id")):
        measures[district_id][kind] += n
    judged, passed, rates = _managers_and_rates(districts, month)
    rows = [
        CircularRow(
            d.name,
            active.get(d.pk, 0),
            inspections.get(d.pk, {}).get("n", 0),
            inspections.get(d.pk, {}).get("projects", 0),
            alerts.get(d.pk, 0) + found.get(d.pk, 0),
            {kind: measures[d.pk][kind] for kind in CIRCULAR_MEASURES},
            judged[d.pk],
            passed[d.pk],
            round(sum(rates[d.pk]) / len(rates[d.pk]), 3) if rates[d.pk] else None,
        )
        for d in districts
    ]
    return rows, _named_projects(districts, standing, start, end), rates


def _inspection_counts(district_ids, start: dt.date, end: dt.date):
    """Regulators' inspections (not the supervision firms' own checks) and the projects they covered."""
    return (
        Inspection.objects.filter(
            project__district__in=district_ids,
            day__gte=start,
            day__lte=end,
            kind__in=[InspectionKind.ONLINE_PATROL, InspectionKind.SITE_VISIT],
        )
        .values("project__district_id")
        .annotate(n=Count("id"), projects=Count("project_id", distinct=True))
    )


# --- Project ledger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerPerson:
    name: str
    id_number: str  # masked
    employer: str
    category: str
    role: str  # position or trade
    team: str
    entered_on: dt.date
    exited_on: dt.date | None
    contract_signed_on: dt.date | None
    days_by_month: dict[str, int]


def ledger_rows(*, project: Project, months: list[dt.date]) -> list[LedgerPerson]:
    """实名制管理台账: the project's people, their entries and exits, attended days per month (one
    grouped query over daily presence)."""
    start = months[0]
    end = month_span(months[-1], timezone.localdate())
    days: defaultdict[int, dict[str, int]] = defaultdict(dict)  # "2026-11" → attended days
    for person_id, month, n in (
        attended_presence(first=start, last=end)
        .filter(project=project)
        .annotate(month=TruncMonth("day"))
        .values("person_id", "month")
        .annotate(n=Count("id"))
        .values_list("person_id", "month", "n")
    ):
        key = (month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10])).strftime("%Y-%m")
        days[person_id][key] = n
    positions = position_names()
    trades = dict(ReferenceCode.objects.filter(table=CodeTable.WORK_TYPE).values_list("code", "name"))
    people = []
    for e in (
        Engagement.objects.filter(project=project)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=start))
        .filter(entered_on__lte=end)
        .select_related("person", "employer")
        .order_by("category", "entered_on", "pk")
    ):
        role = positions.get(e.position, e.position) if e.category == "manager" else trades.get(e.trade, e.trade)
        people.append(
            LedgerPerson(
                e.person.name,
                e.person.id_number_masked,
                e.employer.name,
                "管理人员" if e.category == "manager" else "建筑工人",
                role or "—",
                e.team or "—",
                e.entered_on,
                e.exited_on,
                e.contract_signed_on,
                days[e.person_id],
            )
        )
    return people


# --- 报送 --------------------------------------------------------------------------------------------


class FilingStatus:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    DUE = "due"


@dataclass
class Filing:
    """One district's filing of one workbook of a campaign: its versions (the newest first), when it was
    first submitted, and whether that was on time."""

    campaign: object
    district: Region
    kind: str
    deadline: dt.date
    versions: list
    case: object = None

    @property
    def submitted(self) -> list:
        return [v for v in self.versions if v.state == "submitted"]

    @property
    def draft(self):
        return next((v for v in self.versions if v.state == "draft"), None)

    @property
    def current(self):
        """What the city reads: the newest submitted version."""
        return self.submitted[0] if self.submitted else None

    @property
    def first_submitted_on(self) -> dt.date | None:
        return timezone.localtime(self.submitted[-1].submitted_at).date() if self.submitted else None

    def status(self, today: dt.date) -> str:
        first = self.first_submitted_on
        if first is not None:
            return FilingStatus.ON_TIME if first <= self.deadline else FilingStatus.LATE
        return FilingStatus.MISSING if today > self.deadline else FilingStatus.DUE


def filings(*, campaigns, districts) -> list[Filing]:
    """Every district's Annex 1 of each campaign it takes part in, and its Annex 2 cases, in two queries."""
    from reports.models import DUE_AT_END_OF, Submission, SubmissionKind

    campaigns = list(campaigns.prefetch_related("districts", "phases"))
    district_ids = {d.pk for d in districts}
    stored = defaultdict(list)
    for item in (
        Submission.objects.filter(campaign__in=campaigns, district_id__in=district_ids)
        .select_related("submitted_by", "prepared_by", "case")
        .order_by("-version")
    ):
        stored[(item.campaign_id, item.district_id, item.kind, item.case_id)].append(item)
    result = []
    for campaign in campaigns:
        ends = {p.phase: p.ends_on for p in campaign.phases.all()}
        for district in sorted((d for d in campaign.districts.all() if d.pk in district_ids), key=lambda d: d.code):
            deadline = ends[DUE_AT_END_OF[SubmissionKind.ANNEX1]]
            result.append(
                Filing(
                    campaign,
                    district,
                    SubmissionKind.ANNEX1,
                    deadline,
                    stored.get((campaign.pk, district.pk, SubmissionKind.ANNEX1, None), []),
                )
            )
            typical = sorted(
                (key[3], versions)
                for key, versions in stored.items()
                if key[:3] == (campaign.pk, district.pk, SubmissionKind.ANNEX2)
            )
            for _case_id, versions in typical:
                result.append(
                    Filing(
                        campaign,
                        district,
                        SubmissionKind.ANNEX2,
                        ends[DUE_AT_END_OF[SubmissionKind.ANNEX2]],
                        versions,
                        case=versions[0].case,
                    )
                )
    return result
