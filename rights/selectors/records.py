"""A worker's own records, as he reads them signed in with his code: his engagements, and for each, month by
month, his valid attended days, the punches that did not count and why, his labour contracts, his wage lines
and his exit settlement. Everything is read for one person, whom the code proved: no id in an address reaches
another person's engagement (worker_engagement filters by him)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from attendance.models import Punch
from attendance.verdicts import counts_q, verdicts_of
from inspections.selectors.presence import attended_presence
from projects.models import Engagement, Person
from smz_platform.common.months import month_end, month_start, months_between
from wages.choices import SheetState
from wages.models import ExitSettlement, LabourContract, WageLine
from wages.selectors import paid_amount

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNCOUNTED_SHOWN = 200


def worker_engagements(person: Person) -> QuerySet[Engagement]:
    return Engagement.objects.filter(person=person).select_related("project", "employer").order_by("-entered_on", "-id")


def worker_engagement(person: Person, engagement_id: int) -> Engagement | None:
    """One of his own engagements; another person's is the same None as one that does not exist."""
    return worker_engagements(person).filter(pk=engagement_id).first()


def engagement_months(engagement: Engagement, today: dt.date) -> list[dt.date]:
    """The months of the engagement up to this one, latest first."""
    last = min(engagement.exited_on or today, today)
    first = min(engagement.entered_on, last)
    return list(reversed(months_between(month_start(first), month_start(last))))


@dataclass(frozen=True)
class Uncounted:
    punched_at: dt.datetime
    reason: str  # in plain Chinese: the rule's finding, or the device's refusal


@dataclass(frozen=True)
class WageLineShown:
    month: dt.date
    attended_days: int
    due: Decimal
    paid: Decimal
    paid_on: dt.date | None
    through_special_account: bool
    confirmed: bool


@dataclass(frozen=True)
class WorkerMonth:
    month: dt.date
    valid_days: tuple[dt.date, ...]
    uncounted: tuple[Uncounted, ...]
    wage_lines: tuple[WageLineShown, ...]


def worker_month(engagement: Engagement, month: dt.date) -> WorkerMonth:
    """His month on the engagement's project: valid days by the one rule of an attended day (presence), the
    punches the platform's verdict does not count (attendance.verdicts), his wage lines for that month."""
    first = max(month_start(month), engagement.entered_on)
    last = min(month_end(month), engagement.exited_on or month_end(month))
    project = engagement.project
    days: tuple[dt.date, ...] = ()
    uncounted: tuple[Uncounted, ...] = ()
    if first <= last:
        days = tuple(
            sorted(
                attended_presence(first=first, last=last)
                .filter(project=project, person_id=engagement.person_id)
                .values_list("day", flat=True)
                .distinct()
            )
        )
        start = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
        punches = list(
            Punch.objects.filter(project=project, person_id=engagement.person_id, punched_at__gte=start)
            .filter(punched_at__lt=end)
            .filter(~counts_q(within=(project, start, end)))
            .only("id", "punched_at", "valid")
            .order_by("punched_at", "id")[:UNCOUNTED_SHOWN]
        )
        verdicts = verdicts_of(punches)
        uncounted = tuple(
            Uncounted(p.punched_at.astimezone(SHANGHAI), verdicts[p.pk].reason or verdicts[p.pk].sentence)
            for p in punches
        )
    lines = (
        WageLine.objects.filter(engagement=engagement, sheet__month=month_start(month))
        .select_related("sheet")
        .order_by("sheet__month", "id")
    )
    shown = []
    for line in lines:
        paid = paid_amount(line)
        paid_on = (line.bank_paid_on if line.through_special_account else line.paid_on) if paid else None
        confirmed = line.sheet.state == SheetState.CONFIRMED
        shown.append(
            WageLineShown(
                line.sheet.month, line.attended_days, line.due, paid, paid_on, line.through_special_account, confirmed
            )
        )
    return WorkerMonth(month_start(month), days, uncounted, tuple(shown))


def worker_contracts(engagement: Engagement) -> list[LabourContract]:
    return list(LabourContract.objects.filter(engagement=engagement).order_by("starts_on", "id"))


def worker_settlement(engagement: Engagement) -> ExitSettlement | None:
    return ExitSettlement.objects.filter(engagement=engagement).first()
