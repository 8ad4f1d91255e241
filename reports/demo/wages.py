"""The demo city's wages (manage.py seed_demo): the two months before this one, on every active project,
as a well-run site keeps them, and one project per wage rule where that rule's finding is planted,
named so that a reader sees why.

Every worker-month with valid attendance gets its line (the days come from the same selector the wage
rules read, so a clean project is clean by the rules' own count): a wage special account and the
owner's labour-cost deposit per project, a labour contract per worker, the earlier month's sheets
confirmed and paid by the bank before its pay day, the later month's prepared and, if its pay date
has not come, not yet paid.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from attendance.models import DailyPresence, Punch
from inspections.selectors.timelines import projects_active_between
from projects.choices import Category, ProjectStatus
from projects.identity import parse_id_number
from projects.models import Engagement, Project, User
from projects.services.people import person_get_or_create
from reports.demo.registry import _id_number
from smz_platform.common import pii
from smz_platform.common.months import month_start, shift_month
from wages.choices import BankStatus, ContractPeriod, PayUnit, SheetState
from wages.models import LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet
from wages.selectors import worker_months

# rule → the label appended to the name of the project where it is planted.
PLANTED = {
    "W1": "未编制工资支付表",
    "W2": "向未出勤人员发放工资",
    "W3": "拖欠工资",
    "W4": "工资未走专用账户",
    "W5": "人工费未按时拨付",
    "W6": "退场未结算",
    "W7": "未签劳动合同",
}
DAY_RATES = (300, 320, 350, 380, 420)
PAY_DAY_OF_MONTH = 15  # the sites pay on the 15th of the following month, before the policy's pay day
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int) -> dt.datetime:
    """That day at that hour, or now if it has not come (nothing in the demo is written in the future)."""
    return min(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), timezone.now())


def _card(rng: random.Random) -> str:
    return "6217" + "".join(str(rng.randint(0, 9)) for _ in range(15))


def _preparer(employer_id: int, project: Project, fallback: User) -> User:
    """The employer's own account where the demo has one (labour, contractor), else the project's
    general contractor's, else the city's (the demo gives every firm no login of its own)."""
    return (
        User.objects.filter(enterprise_id=employer_id).first()
        or User.objects.filter(
            enterprise__participations__project=project, enterprise__participations__role="contractor"
        ).first()
        or fallback
    )


def seed_wages(*, rng: random.Random, taken: set[int]) -> dict[str, Project]:
    """The wages of every active project; returns the planted projects (rule → project), chosen among
    the active projects not in `taken` (the attendance rules' and the loopholes' projects)."""
    today = timezone.localdate()
    this_month = month_start(today)
    months = [shift_month(this_month, -2), shift_month(this_month, -1)]
    city = User.objects.get(username="city")
    # Every project under construction at some time of the two months (a suspended one was judged before).
    active = list(projects_active_between(months[0], today).select_related("district__parent").order_by("id"))
    # The wage rules' sites are Ningbo's active ones whose workers attended in the earlier month (a site
    # that started late in it has no month to be late with).
    earlier = {
        project_id
        for (project_id, _person, month), entry in worker_months(
            project_ids=[p.pk for p in active], months=months
        ).items()
        if month == months[0] and entry.days
    }
    free = [
        p
        for p in active
        if p.pk not in taken
        and p.pk in earlier
        and p.status == ProjectStatus.ACTIVE
        and p.district.parent.code == "330200"
    ]
    if len(free) < len(PLANTED):
        return {}  # a demo too small for the wage rules' projects (not the default)
    # W1 on a site where the demo's own subcontractor (`labour`) employs workers, under the demo's general
    # contractor where there is one: the guide's worked example imports the missing month there.
    labour = User.objects.filter(username="labour").values_list("enterprise_id", flat=True).first()
    contractor = User.objects.filter(username="contractor").values_list("enterprise_id", flat=True).first()
    employs = set(Engagement.objects.filter(employer_id=labour).values_list("project_id", flat=True))
    leads = set(
        Project.objects.filter(participants__enterprise_id=contractor, participants__role="contractor").values_list(
            "pk", flat=True
        )
    )
    free.sort(key=lambda p: (not (p.pk in employs and p.pk in leads), p.pk not in employs))
    planted = dict(zip(PLANTED, free, strict=False))
    for rule, project in planted.items():
        project.name = f"{project.name}（{PLANTED[rule]}）"
        Project.objects.filter(pk=project.pk).update(name=project.name)
    special = {project.pk: rule for rule, project in planted.items()}
    ghost = _plant_ghost(rng, planted["W2"], months[0], city)
    _plant_exit(planted["W6"], today)
    _accounts_and_deposits(rng, active, special, months, city)
    _contracts(rng, active, special, city)
    _sheets(rng, active, special, months, today, city, ghost)
    return planted


def _plant_ghost(rng: random.Random, project: Project, month: dt.date, city: User) -> Engagement:
    """W2: a worker entered on the books who never came to the site (挂名工人), whom the sheet pays."""
    number = _id_number(rng, "341221", 30, 50)
    person, _created = person_get_or_create(id_number=parse_id_number(number), name="孙有名")
    employer = Engagement.objects.filter(project=project, category=Category.WORKER).first().employer
    return Engagement.objects.create(
        person=person,
        project=project,
        employer=employer,
        category=Category.WORKER,
        trade="020",
        entered_on=month,
        created_by=city,
    )


def _plant_exit(project: Project, today: dt.date) -> None:
    """W6: a worker who left ten days ago; nobody settled with him (his punches after the exit go: he
    was not there)."""
    engagement = Engagement.objects.filter(project=project, category=Category.WORKER).order_by("id").first()
    gone = today - dt.timedelta(days=10)
    after = dt.datetime.combine(gone + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    Punch.objects.filter(project=project, person_id=engagement.person_id, punched_at__gte=after).delete()
    DailyPresence.objects.filter(project=project, person_id=engagement.person_id, day__gt=gone).delete()
    Engagement.objects.filter(pk=engagement.pk).update(exited_on=gone)


def _accounts_and_deposits(rng, active, special, months, city) -> None:
    WageAccount.objects.bulk_create(
        WageAccount(
            project=p,
            bank=rng.choice(["中国建设银行宁波分行", "中国工商银行宁波分行", "宁波银行", "中国农业银行宁波分行"]),
            account_name=f"{p.name.split('（')[0]}农民工工资专用账户",
            number_encrypted=pii.encrypt_as(number := "3310" + str(rng.randint(10**15, 10**16 - 1)), pii.BANK_ACCOUNT),
            number_masked=pii.mask_bank_account(number),
            opened_on=p.actual_start or p.planned_start,
            opened_by=city,
        )
        for p in active
    )
    LabourCostDeposit.objects.bulk_create(
        LabourCostDeposit(
            project=p,
            paid_on=(p.actual_start or p.planned_start) + dt.timedelta(days=5),
            amount=Decimal(rng.randrange(800_000, 3_000_000, 10_000)),
            first_month=month_start(p.actual_start or p.planned_start),
            last_month=shift_month(months[-1], 2),
            entered_by=city,
        )
        for p in active
        if special.get(p.pk) != "W5"  # the owner never paid the labour cost in
    )


def _contracts(rng, active, special, city) -> None:
    LabourContract.objects.bulk_create(
        LabourContract(
            engagement=e,
            code=f"LD{e.entered_on:%Y}-{e.pk:06d}",
            signed_on=e.entered_on,
            period=ContractPeriod.TASK,
            starts_on=e.entered_on,
            pay_unit=PayUnit.DAY,
            unit_price=rng.choice(DAY_RATES),
            recorded_by=city,
        )
        for e in Engagement.objects.filter(project__in=active, category=Category.WORKER).order_by("id")
        if special.get(e.project_id) != "W7"  # a contractor that signs no contracts
    )


def _sheets(rng, active, special, months, today, city, ghost: Engagement) -> None:
    """A sheet per (project, employer, month) with valid attendance, a line per worker; the planted
    projects' months go wrong the way their label says."""
    engaged = {
        (e.project_id, e.person_id, e.employer_id): e
        for e in Engagement.objects.filter(project__in=active, category=Category.WORKER).order_by("entered_on")
    }
    rates = {key: rng.choice(DAY_RATES) for key in engaged}
    found = worker_months(project_ids=[p.pk for p in active], months=months)
    by_sheet: dict[tuple[int, int, dt.date], list] = defaultdict(list)
    for (project_id, person_id, month), entry in sorted(found.items()):
        if entry.days and entry.employer_id:
            by_sheet[(project_id, entry.employer_id, month)].append((person_id, entry.days))
    ghost_sheet = (ghost.project_id, ghost.employer_id, months[0])
    by_sheet[ghost_sheet].append((ghost.person_id, 0))
    projects = {p.pk: p for p in active}
    short = [False, True, True]  # W3's site: the first three workers of the month are paid short or not at all
    lines = []
    for (project_id, employer_id, month), workers in sorted(by_sheet.items()):
        rule = special.get(project_id)
        if rule == "W1":
            continue  # the subcontractor files no wage sheet
        pay_on = dt.date(shift_month(month, 1).year, shift_month(month, 1).month, PAY_DAY_OF_MONTH)
        paid = pay_on < today
        sheet = WageSheet.objects.create(
            project_id=project_id,
            employer_id=employer_id,
            month=month,
            state=SheetState.CONFIRMED if paid else SheetState.PREPARED,
            prepared_by=_preparer(employer_id, projects[project_id], city),
            prepared_at=_at(pay_on - dt.timedelta(days=10), 10),
            confirmed_by=city if paid else None,
            confirmed_at=_at(pay_on - dt.timedelta(days=8), 15) if paid else None,
        )
        outside = rule == "W4" and month == months[0]
        for person_id, days in workers:
            engagement = engaged[(project_id, person_id, employer_id)]
            due = Decimal(rates[(project_id, person_id, employer_id)] * (days or 22))
            bank = due
            if rule == "W3" and month == months[0] and short:
                bank = due - Decimal(1500) if short.pop() else Decimal(0)  # two paid short, one not at all
            card = _card(rng)
            lines.append(
                WageLine(
                    sheet=sheet,
                    engagement=engagement,
                    person_id=person_id,
                    attended_days=days,
                    due=due,
                    paid=due if paid else Decimal(0),
                    paid_on=pay_on if paid else None,
                    card_encrypted=pii.encrypt_as(card, pii.BANK_ACCOUNT),
                    card_masked=pii.mask_bank_account(card),
                    through_special_account=not outside,  # W4: paid in cash by the foreman
                    bank_status=(BankStatus.PAID if bank else BankStatus.FAILED) if paid and not outside else "",
                    bank_amount=bank if paid and not outside else None,
                    bank_paid_on=pay_on if paid and not outside and bank else None,
                    bank_result_at=_at(pay_on + dt.timedelta(days=1), 9) if paid and not outside else None,
                )
            )
    WageLine.objects.bulk_create(lines, batch_size=2000)
