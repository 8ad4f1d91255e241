"""Presence and valid days (有效考勤): the one place that says which days a person attended.

Every reader of attendance goes through here: the presence API, the nightly rules (R11, R12, R15,
R16), the dashboard's cards and calendar, and the reports. A day is attended when the person's daily
presence row on the project meets the policy's valid-day rule (`attended_q`); daily presence counts
only the punches that are valid. Everything is set-based on the ORM, so the embedded SQLite default
and PostgreSQL run the same queries: a month of a whole city is a handful of grouped queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from attendance.models import DailyPresence, Punch
from attendance.verdicts import counts_q, verdicts_of
from inspections.calendar import PROJECT_MANAGER, Timeline, construction_days, manager_days, position_timeline
from inspections.cohorts import manager_judged
from inspections.models import Policy
from inspections.presence import (
    ManagerPresence,
    Staff,
    WorkerPresence,
    engaged_counts,
    manager_presence,
    workers_daily,
)
from inspections.selectors.policies import PolicyBook, policies_in_force
from inspections.selectors.timelines import timelines_for
from projects.choices import Category
from projects.models import Engagement, Project, ProjectParticipant, User
from smz_platform.common.months import month_days

SHANGHAI = ZoneInfo("Asia/Shanghai")


def attended_q(policy: Policy) -> Q:
    """The valid-day rule of a policy, on daily presence: enough valid punches (or, where the policy asks
    for it, valid punches with a photo), spanning enough hours from the first to the last."""
    counted = "photo_count" if policy.valid_requires_photo else "valid_count"
    condition = Q(**{f"{counted}__gte": max(policy.valid_min_punches, 1)})
    if policy.valid_min_span_hours:
        span = dt.timedelta(hours=float(policy.valid_min_span_hours))
        condition &= Q(last_valid_at__gte=F("first_valid_at") + span)
    return condition


def attended_filter(book: PolicyBook) -> Q:
    """The valid-day rule of every district's policy at once."""
    own = [district for _policy, districts in book.groups() if districts for district in districts]
    if not own:
        return attended_q(book.city)
    condition = Q()
    for policy, districts in book.groups():
        scope = Q(project__district_id__in=districts) if districts else ~Q(project__district_id__in=own)
        condition |= scope & attended_q(policy)
    return condition


def attended_presence(*, first: dt.date, last: dt.date, book: PolicyBook | None = None) -> QuerySet[DailyPresence]:
    """The daily presence rows of `first`–`last` that make a day attended (by the policies of `last`)."""
    book = book or policies_in_force(last)
    return DailyPresence.objects.filter(day__gte=first, day__lte=last).filter(attended_filter(book)).order_by()


def _engaged_as(category: str, *, on_the_day: bool) -> Exists:
    """The presence row's person is engaged on its project in `category` (on that very day, if asked)."""
    engagements = Engagement.objects.filter(
        project_id=OuterRef("project_id"), person_id=OuterRef("person_id"), category=category
    )
    if on_the_day:
        engagements = engagements.filter(entered_on__lte=OuterRef("day")).filter(
            Q(exited_on__isnull=True) | Q(exited_on__gte=OuterRef("day"))
        )
    return Exists(engagements)


# --- A month ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectPresence:
    """A project's month: its construction days, every manager against them, and its workers."""

    project: Project
    month: dt.date
    days: tuple[dt.date, ...]  # the construction days
    managers: list[ManagerPresence]
    workers: WorkerPresence
    worker_days: tuple[tuple[int, int], ...] = ()  # per construction day: attended and engaged workers

    @property
    def construction_days(self) -> int:
        return len(self.days)

    @property
    def judged(self) -> bool:
        """Judged this month: it had a construction day, or a manager was held to one (the project
        manager after the others' stop, where the policy has two stops)."""
        return bool(self.days) or any(m.construction_days for m in self.managers)


def month_presence(
    *,
    projects: list[Project],
    month: dt.date,
    until: dt.date,
    book: PolicyBook | None = None,
    timelines: dict[int, Timeline] | None = None,
) -> dict[int, ProjectPresence]:
    """The month's presence (up to `until`) of every project given: four queries whatever their number
    (the suspensions, the engagements, the managers' attended days, the workers' attended counts), by the
    policies as they stood on `until`."""
    book = book or policies_in_force(until)
    by_pk = {p.pk: p for p in projects}
    timelines = timelines if timelines is not None else timelines_for(by_pk)
    calendar = month_days(month, until=until)
    first = month.replace(day=1)
    last = calendar[-1] if calendar else first - dt.timedelta(days=1)  # a month not begun: no day
    built, held, pm_held = {}, {}, {}
    for pk, project in by_pk.items():
        policy = book.for_project(project)
        built[pk] = construction_days(
            timelines[pk], calendar, count_sundays=policy.count_sundays, count_holidays=policy.count_holidays
        )
        held[pk] = manager_days(timelines[pk], built[pk], grace_days=policy.manager_grace_days)
        pm_held[pk] = held[pk]
        own = position_timeline(timelines[pk], policy, PROJECT_MANAGER)
        if own is not timelines[pk]:  # two stops: the project manager's days run to his own stop
            pm_days = construction_days(
                own, calendar, count_sundays=policy.count_sundays, count_holidays=policy.count_holidays
            )
            pm_held[pk] = manager_days(own, pm_days, grace_days=policy.manager_grace_days)
    engagements = defaultdict(list)
    for row in (
        Engagement.objects.filter(project_id__in=list(by_pk), entered_on__lte=last)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=first))
        .values_list(
            "category",
            "id",
            "project_id",
            "person_id",
            "person__name",
            "person__id_number_masked",
            "position",
            "entered_on",
            "exited_on",
            "judged_from",
            "employer_id",
        )
        .order_by("project_id", "position", "id")
    ):
        engagements[row[0]].append(row[1:])
    managers = _managers(by_pk, first, last, book, (held, pm_held), engagements[Category.MANAGER])
    workers = _workers(by_pk, first, last, book, built, engagements[Category.WORKER])
    return {
        pk: ProjectPresence(
            project=project,
            month=month,
            days=tuple(built[pk]),
            managers=managers.get(pk, []),
            workers=workers[pk][1],
            worker_days=workers[pk][0],
        )
        for pk, project in by_pk.items()
    }


def project_presence(*, project: Project, month: dt.date, today: dt.date | None = None) -> ProjectPresence:
    """One project's month, to date for the running month (the presence API)."""
    return month_presence(projects=[project], month=month, until=today or timezone.localdate())[project.pk]


def firm_roles(project_ids: list[int]) -> dict[tuple[int, int], set[str]]:
    """(project, enterprise) → the roles the enterprise takes part in the project in (one query)."""
    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    for project_id, enterprise_id, role in ProjectParticipant.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "enterprise_id", "role"
    ):
        roles[(project_id, enterprise_id)].add(role)
    return roles


def _managers(projects, first, last, book: PolicyBook, helds, rows) -> dict[int, list[ManagerPresence]]:
    """Each manager engagement the policy judges (inspections.cohorts) against the days managers are held
    to (one query for the days their holders attended, one for their firms' roles)."""
    by_role = any(book.for_project(p).managers_judged_roles for p in projects.values())
    roles = firm_roles(list(projects)) if by_role else {}
    rows = [
        row
        for row in rows
        if manager_judged(projects[row[1]], book.for_project(projects[row[1]]), roles.get((row[1], row[9]), ()))
    ]
    attended: dict[tuple[int, int], set[dt.date]] = defaultdict(set)
    for project_id, person_id, day in (
        attended_presence(first=first, last=last, book=book)
        .filter(project_id__in=list(projects))
        .filter(_engaged_as(Category.MANAGER, on_the_day=False))
        .values_list("project_id", "person_id", "day")
    ):
        attended[(project_id, person_id)].add(day)
    held, pm_held = helds
    result: dict[int, list[ManagerPresence]] = defaultdict(list)
    for engagement, project_id, person_id, name, masked, position, entered, exited, judged_from, _employer in rows:
        policy = book.for_project(projects[project_id])
        if judged_from is not None:  # a replacement holder: held from the switch, not from registration
            entered = max(entered, judged_from)
        staff = Staff(
            engagement=engagement,
            name=name,
            id_number=masked,
            position=position,
            entered_on=entered,
            exited_on=exited,
            attended=frozenset(attended.get((project_id, person_id), ())),
        )
        result[project_id].append(
            manager_presence(
                staff,
                pm_held[project_id] if position == PROJECT_MANAGER else held[project_id],
                key_positions=policy.r11_key_positions,
                key_ratio=policy.r11_key_ratio,
                other_ratio=policy.r11_other_ratio,
            )
        )
    return result


def _workers(projects, first, last, book: PolicyBook, built, rows) -> dict[int, tuple[tuple, WorkerPresence]]:
    """Per project and construction day, attended workers against engaged workers (one grouped query
    over presence; the engagements' spans are given)."""
    attended: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for project_id, day, n in (
        attended_presence(first=first, last=last, book=book)
        .filter(project_id__in=list(projects))
        .filter(_engaged_as(Category.WORKER, on_the_day=True))
        .values("project_id", "day")
        .annotate(n=Count("id"))
        .values_list("project_id", "day", "n")
    ):
        attended[project_id][day] = n
    spans: dict[int, list] = defaultdict(list)
    for _engagement, project_id, _person, _name, _masked, _position, entered, exited, _judged, _employer in rows:
        spans[project_id].append((entered, exited))
    result = {}
    for pk, project in projects.items():
        engaged, _any = engaged_counts(spans[pk], built[pk])
        daily = tuple(zip([attended[pk].get(day, 0) for day in built[pk]], engaged, strict=True))
        result[pk] = (
            daily,
            workers_daily(
                spans[pk], [a for a, _e in daily], built[pk], threshold=book.for_project(project).r16_worker_rate
            ),
        )
    return result


# --- A day, and the days of one project ------------------------------------------------------------


def attended_counts(
    *, project_ids, day: dt.date, category: str = Category.WORKER, book: PolicyBook | None = None
) -> dict[int, int]:
    """People of `category` engaged on the project that day with a valid day of attendance, per project
    (R15 compares them with an inspection's headcount)."""
    rows = (
        attended_presence(first=day, last=day, book=book)
        .filter(project_id__in=list(project_ids))
        .filter(_engaged_as(category, on_the_day=True))
        .values("project_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("project_id", "n")
    )
    return dict(rows)


def people_on_site(
    *, day: dt.date, group_by: str = "project__district_id", book: PolicyBook | None = None, **filters
) -> dict[int, int]:
    """Distinct people with a valid day of attendance on `day`, grouped (by district unless asked)."""
    rows = (
        attended_presence(first=day, last=day, book=book)
        .filter(**filters)
        .values(group_by)
        .annotate(n=Count("person_id", distinct=True))
        .values_list(group_by, "n")
    )
    return dict(rows)


def last_attended(
    *, project_ids, since: dt.date, until: dt.date, book: PolicyBook | None = None
) -> dict[tuple[int, str], dt.date]:
    """The last day in `since`–`until` with a valid day of a worker, and of a manager, per project (R12)."""
    result: dict[tuple[int, str], dt.date] = {}
    for category in (Category.WORKER, Category.MANAGER):
        for project_id, last in (
            attended_presence(first=since, last=until, book=book)
            .filter(project_id__in=list(project_ids))
            .filter(_engaged_as(category, on_the_day=False))
            .values("project_id")
            .annotate(last=Max("day"))
            .values_list("project_id", "last")
        ):
            result[(project_id, category)] = last
    return result


def attended_days(*, project: Project, first: dt.date, last: dt.date) -> dict[int, set[dt.date]]:
    """Per person, the days of `first`–`last` they attended the project (the month calendar, the ledger)."""
    days: dict[int, set[dt.date]] = defaultdict(set)
    for person_id, day in (
        attended_presence(first=first, last=last).filter(project=project).values_list("person_id", "day")
    ):
        days[person_id].add(day)
    return days


# --- The punches that did not count ----------------------------------------------------------------------


@dataclass(frozen=True)
class UncountedPunch:
    """A punch kept on record that did not make its day attended, and why."""

    punch_id: int
    day: dt.date
    punched_at: dt.datetime
    person_id: int | None
    name: str
    id_number: str  # masked
    device: str
    rule: str  # the rule that found it false, or "" for a failed liveness check at the device
    reason: str


def uncounted_punches(
    *, project: Project, first: dt.date, last: dt.date, user: User, limit: int = 500
) -> list[UncountedPunch]:
    """The punches of `first`–`last` on the project that did not count: found false by a rule (and not
    reinstated by staff), or refused by the device's own liveness check; of the people in the user's
    scope. One query, and one more for the rules' reasons when there are any."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    punches = list(
        Punch.objects.restrict(user, "view")
        .filter(project=project, punched_at__gte=start, punched_at__lt=end)
        .filter(~counts_q(within=(project, start, end)))
        .order_by("punched_at", "id")
        .only(
            "id", "punched_at", "person_id", "id_number_masked", "valid", "device_id", "person__name", "device__serial"
        )
        .select_related("person", "device")[:limit]
    )
    verdicts = verdicts_of(punches)
    return [
        UncountedPunch(
            p.pk,
            p.punched_at.astimezone(SHANGHAI).date(),
            p.punched_at,
            p.person_id,
            p.person.name if p.person_id else "未登记人员",
            p.id_number_masked,
            p.device.serial,
            verdicts[p.pk].rule,
            verdicts[p.pk].reason,
        )
        for p in punches
    ]
