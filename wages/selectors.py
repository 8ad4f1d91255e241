"""Reads of the wage records: a worker's valid attended days, the pay day, and what each worker of a month
was due and was paid (the one answer to "is this worker owed", which the wage rules, the arrears overview
and the wage ledger all ask)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DecimalField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, TruncMonth

from inspections.models import LIVE_STATES, Alert, Policy
from inspections.selectors.policies import policies_in_force
from inspections.selectors.presence import attended_presence
from projects.choices import Category, ProjectStatus
from projects.models import Engagement, Project
from smz_platform.common.months import month_end, month_start, next_month
from wages.choices import BankStatus
from wages.models import ExitSettlement, LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet

ZERO = Decimal(0)
# What the judgement of a line reads (not the encrypted card).
LINE_COLUMNS = (
    "id",
    "sheet_id",
    "person_id",
    "engagement_id",
    "due",
    "paid",
    "paid_on",
    "through_special_account",
    "bank_status",
    "bank_amount",
    "bank_paid_on",
)


def attended_days(*, project_id: int, month: dt.date, person_ids: list[int]) -> dict[int, int]:
    """Each person's valid attended days (有效考勤天数) on the project in `month`: the one answer to "was the
    day attended" (inspections.selectors.presence), so that a back-filled or forged punch that presence does
    not count never fills a wage line either."""
    first, last = month_start(month), month_end(month)
    rows = (
        attended_presence(first=first, last=last)
        .filter(project_id=project_id, person_id__in=person_ids)
        .values("person_id")
        .annotate(days=Count("day", distinct=True))
    )
    return {row["person_id"]: row["days"] for row in rows}


def pay_day(month: dt.date, policy: Policy) -> dt.date:
    """The day by which `month`'s wages are due: the policy's day of the following month (0: its last day)."""
    following = next_month(month_start(month))
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(policy.wage_pay_day or last, last))


@dataclass(frozen=True, slots=True)
class SheetOf:
    """What a line's judgement reads of its sheet."""

    project_id: int
    employer_id: int
    month: dt.date


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the judgement of a wage line reads (never its encrypted card): plain values, so that the 90,000
    lines of a city's month are read in a fraction of the time model instances take."""

    pk: int
    sheet_id: int
    person_id: int
    engagement_id: int
    due: Decimal
    paid: Decimal
    paid_on: dt.date | None
    through_special_account: bool
    bank_status: str
    bank_amount: Decimal | None
    bank_paid_on: dt.date | None
    sheet: SheetOf


@dataclass
class WorkerMonth:
    """One worker's month on one project: his valid attended days (as a worker of his employer) beside what
    the wage sheets say he was due and what the bank (or, outside the special account, the sheet) paid."""

    project_id: int
    person_id: int
    month: dt.date
    employer_id: int | None = None
    days: int = 0  # valid attended days, recounted from presence now (never the line's frozen copy)
    lines: list[LineFacts] = field(default_factory=list)

    @property
    def due(self) -> Decimal:
        return sum((line.due for line in self.lines), ZERO)

    def paid_by(self, day: dt.date | None) -> Decimal:
        """Paid on or before `day` (None: whenever)."""
        return sum((paid_amount(line, day) for line in self.lines), ZERO)

    def shortfall(self, day: dt.date | None) -> Decimal:
        return max(self.due - self.paid_by(day), ZERO)


def paid_amount(line: WageLine | LineFacts, day: dt.date | None = None) -> Decimal:
    """What a line paid on or before `day`: through the special account, what the bank's result says (the
    sheet's own "paid" is a claim until the bank confirms it); outside it, the sheet's amount and date (W4
    finds the line all the same)."""
    if line.through_special_account:
        if line.bank_status != BankStatus.PAID or line.bank_amount is None or line.bank_paid_on is None:
            return ZERO
        return line.bank_amount if day is None or line.bank_paid_on <= day else ZERO
    if not line.paid or line.paid_on is None:
        return ZERO
    return line.paid if day is None or line.paid_on <= day else ZERO


def worker_months(
    *, project_ids: Iterable[int], months: Iterable[dt.date]
) -> dict[tuple[int, int, dt.date], WorkerMonth]:
    """Every worker-month of these projects and months that has valid attendance or a wage line, keyed by
    (project, person, month): set-based, a handful of queries whatever the size of the city."""
    project_ids, months = list(project_ids), sorted({month_start(m) for m in months})
    found: dict[tuple[int, int, dt.date], WorkerMonth] = {}
    if not project_ids or not months:
        return found
    for row in _worker_days(project_ids, months):
        key = (row["project_id"], row["person_id"], row["month"])
        entry = found.setdefault(key, WorkerMonth(*key))
        entry.days += row["days"]
        entry.employer_id = entry.employer_id or row["employer_id"]
    sheets = {
        pk: SheetOf(project_id, employer_id, month)
        for pk, project_id, employer_id, month in WageSheet.objects.filter(
            project_id__in=project_ids, month__in=months
        ).values_list("id", "project_id", "employer_id", "month")
    }
    for values in WageLine.objects.filter(sheet_id__in=sheets).values_list(*LINE_COLUMNS):
        pk, sheet_id, person_id, engagement_id, due, paid, paid_on, through, status, amount, bank_on = values
        line = LineFacts(
            pk,
            sheet_id,
            person_id,
            engagement_id,
            due,
            paid,
            paid_on,
            through,
            status,
            amount,
            bank_on,
            sheets[sheet_id],
        )
        key = (line.sheet.project_id, line.person_id, line.sheet.month)
        entry = found.setdefault(key, WorkerMonth(*key, employer_id=line.sheet.employer_id))
        entry.lines.append(line)
    return found


def _worker_days(project_ids: list[int], months: list[dt.date]) -> list[dict]:
    """Valid attended days per (project, person, month, employer): the employer of the engagement running on
    each day (the latest entered, where a re-entry overlaps an exit). A person with one worker engagement on
    the project (nearly everyone) is counted by a plain join; the few with several, day by day."""
    first, last = months[0], month_end(months[-1])
    presence = attended_presence(first=first, last=last).filter(project_id__in=project_ids)
    several = set(
        Engagement.objects.filter(project_id__in=project_ids, category=Category.WORKER, entered_on__lte=last)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=first))
        .values_list("project_id", "person_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("project_id", "person_id")
    )
    # The plain join, in SQL over the one definition of an attended day (attended_presence): the ORM would
    # join through the person and sort 2.5 million rows to disk on a city of 100,000 people.
    attended, params = presence.values("project_id", "person_id", "day").query.sql_with_params()
    connection = connections[presence.db]
    # The month of a day, in the database's own words (the embedded SQLite default of `make run` has no
    # date_trunc); all else in the statement is standard SQL.
    month_of = (
        "date_trunc('month', a.day)::date" if connection.vendor == "postgresql" else "date(a.day, 'start of month')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.project_id, a.person_id, {month_of}, e.employer_id, count(*)
            FROM ({attended}) a
            JOIN projects_engagement e ON e.project_id = a.project_id AND e.person_id = a.person_id
             AND e.category = %s AND e.entered_on <= a.day AND (e.exited_on IS NULL OR e.exited_on >= a.day)
            GROUP BY 1, 2, 3, 4
            """,
            [*params, Category.WORKER],
        )
        single = [
            {
                "project_id": project_id,
                "person_id": person_id,
                "month": dt.date.fromisoformat(month) if isinstance(month, str) else month,
                "employer_id": employer,
                "days": days,
            }
            for project_id, person_id, month, employer, days in cursor.fetchall()
        ]
    rows = [row for row in single if (row["project_id"], row["person_id"]) not in several and row["month"] in months]
    if several:
        employer = Engagement.objects.filter(
            project_id=OuterRef("project_id"),
            person_id=OuterRef("person_id"),
            category=Category.WORKER,
            entered_on__lte=OuterRef("day"),
        ).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=OuterRef("day")))
        pairs = Q()
        for project_id, person_id in several:
            pairs |= Q(project_id=project_id, person_id=person_id)
        rows += (
            presence.filter(pairs)
            .annotate(
                month=TruncMonth("day"),
                employer_id=Subquery(employer.order_by("-entered_on", "-pk").values("employer_id")[:1]),
            )
            .filter(employer_id__isnull=False, month__in=months)
            .values("project_id", "person_id", "month", "employer_id")
            .annotate(days=Count("day", distinct=True))
        )
    return rows


def sheets_of(*, project_ids: Iterable[int], months: Iterable[dt.date]) -> set[tuple[int, int, dt.date]]:
    """The (project, employer, month) that have a wage sheet."""
    return set(
        WageSheet.objects.filter(project_id__in=list(project_ids), month__in=list(months)).values_list(
            "project_id", "employer_id", "month"
        )
    )


def by_project_month(worker_months_: Iterable[WorkerMonth]) -> dict[tuple[int, dt.date], list[WorkerMonth]]:
    grouped: dict[tuple[int, dt.date], list[WorkerMonth]] = defaultdict(list)
    for wm in worker_months_:
        grouped[(wm.project_id, wm.month)].append(wm)
    return grouped


@dataclass(frozen=True)
class ProjectArrears:
    """A project's arrears as the live W3 findings hold them (欠薪预警): the months owed, the amount unpaid at
    each pay day and still owed, the workers affected, the oldest month."""

    project_id: int
    permit_no: str
    name: str
    district: str
    months: int
    amount: Decimal
    still_owed: Decimal
    workers: int
    oldest: dt.date


def arrears_overview(alerts: QuerySet[Alert]) -> list[ProjectArrears]:
    """The district arrears overview from the W3 alerts the viewer may see (`alerts`: a restricted queryset):
    the figure and the warning are the same finding, so the page never says other than the triage does.
    Largest amount first; two queries whatever the number of projects."""
    live = alerts.filter(rule="W3", state__in=LIVE_STATES).order_by()
    money: DecimalField = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        live.values("project_id")
        .annotate(
            months=Count("id"),
            amount=Sum(Cast(KeyTextTransform("amount", "evidence"), money)),
            still=Sum(Cast(KeyTextTransform("still_owed", "evidence"), money)),
            oldest=Min("period_start"),
            permit_no=Max("project__permit_no"),
            name=Max("project__name"),
            district=Max("project__district__name"),
        )
        .order_by("-amount", "project_id")
    )
    people: dict[int, set[int]] = defaultdict(set)
    for project_id, ids in live.values_list("project_id", KeyTransform("person_ids", "evidence")):
        people[project_id].update(ids or [])
    return [
        ProjectArrears(
            project_id=r["project_id"],
            permit_no=r["permit_no"],
            name=r["name"],
            district=r["district"],
            months=r["months"],
            amount=r["amount"] or ZERO,
            still_owed=r["still"] or ZERO,
            workers=len(people[r["project_id"]]),
            oldest=r["oldest"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class LedgerRow:
    """One line of the wage ledger (工资台账) as every screen and workbook shows it: masked, never the card."""

    line_id: int
    sheet_id: int
    month: dt.date
    employer: str
    team: str
    name: str
    id_number: str  # masked
    card: str  # masked
    days: int  # valid attended days now (a day found false since the sheet was made no longer counts)
    sheet_days: int  # the days the sheet was made with
    due: Decimal
    paid: Decimal  # the sheet's claim
    bank_amount: Decimal | None
    paid_on: dt.date | None  # the bank's date through the special account, else the sheet's
    through_special_account: bool
    bank_status: str


def ledger_rows(*, lines: QuerySet[WageLine], project_id: int) -> list[LedgerRow]:
    """The project's wage lines (`lines`: a queryset already restricted to the viewer) in month, employer and
    team order, each with its valid attended days counted again from presence."""
    ordered = list(
        lines.filter(sheet__project_id=project_id)
        .select_related("sheet__employer", "person")
        .order_by("sheet__month", "sheet__employer__name", "sheet__team", "person__name", "pk")
    )
    found = worker_months(project_ids=[project_id], months={line.sheet.month for line in ordered})
    rows = []
    for line in ordered:
        month = line.sheet.month
        through = line.through_special_account
        rows.append(
            LedgerRow(
                line_id=line.pk,
                sheet_id=line.sheet_id,
                month=month,
                employer=line.sheet.employer.name,
                team=line.sheet.team,
                name=line.person.name,
                id_number=line.person.id_number_masked,
                card=line.card_masked,
                days=found[(project_id, line.person_id, month)].days
                if (project_id, line.person_id, month) in found
                else 0,
                sheet_days=line.attended_days,
                due=line.due,
                paid=line.paid,
                bank_amount=line.bank_amount,
                paid_on=line.bank_paid_on if through else line.paid_on,
                through_special_account=through,
                bank_status=line.bank_status,
            )
        )
    return rows


@dataclass
class ExpiredRecords:
    """A completed project whose wage records are past their retention (保存期限), with what it holds."""

    project_id: int
    permit_no: str
    name: str
    completed_on: dt.date
    kept_until: dt.date
    counts: dict[str, int]


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def wage_records_expired(*, today: dt.date) -> list[ExpiredRecords]:
    """The completed projects whose wage records were kept the policy's years after completion (seed 003
    §三(五): 2 years) and are now past it: kept until the anniversary, eligible the day after. A project
    not completed, or completed without a date, is kept."""
    book = policies_in_force(today)
    expired = []
    completed = Project.objects.filter(status=ProjectStatus.COMPLETED, completed_on__isnull=False).order_by(
        "completed_on", "pk"
    )
    for project in completed.only("pk", "permit_no", "name", "completed_on", "district_id"):
        kept_until = _years_after(project.completed_on, book.for_project(project).wage_retention_years)
        if kept_until >= today:
            continue
        counts = {
            "wage_sheets": WageSheet.objects.filter(project=project).count(),
            "wage_lines": WageLine.objects.filter(sheet__project=project).count(),
            "labour_contracts": LabourContract.objects.filter(engagement__project=project).count(),
            "exit_settlements": ExitSettlement.objects.filter(engagement__project=project).count(),
            "deposits": LabourCostDeposit.objects.filter(project=project).count(),
            "wage_accounts": WageAccount.objects.filter(project=project).count(),
        }
        if any(counts.values()):
            expired.append(
                ExpiredRecords(project.pk, project.permit_no, project.name, project.completed_on, kept_until, counts)
            )
    return expired
