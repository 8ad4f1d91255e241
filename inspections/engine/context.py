"""The day a run judges: the projects it judges, their timelines and the policy of each, and the inputs
several rules share (loaded once per run, on first use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from devices.choices import DeviceState
from devices.models import Device
from inspections.calendar import Timeline, construction_days
from inspections.models import Alert, AlertState, Policy
from inspections.selectors import PolicyBook, month_presence, policies_in_force, projects_judged, timelines_for
from projects.models import Project
from projects.selectors import position_names
from smz_platform.common.months import is_month_end, month_start

SHANGHAI = ZoneInfo("Asia/Shanghai")
STREAK_LOOKBACK_DAYS = 62


@dataclass
class Context:
    """What every rule of one day shares: the day, the judged projects, their timelines and policies."""

    day: dt.date
    day_start: dt.datetime
    day_end: dt.datetime
    projects: dict[int, Project]
    timelines: dict[int, Timeline]
    book: PolicyBook
    # One part of a fanned-out night (inspections.engine.fanout): every project of its districts, judged
    # or not. Only findings on these are kept; rules that read across projects (R07) read for these.
    unit_projects: frozenset[int] | None = None
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def policies(self) -> dict[int, Policy]:
        return self.shared("policies", lambda: {pk: self.book.for_project(p) for pk, p in self.projects.items()})

    def policy(self, project_id: int) -> Policy:
        return self.book.for_project(self.projects[project_id])

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        """An input several rules read, computed once per run."""
        if name not in self._shared:
            self._shared[name] = compute()
        return self._shared[name]

    def rules_with_open_alerts(self) -> set[str]:
        """The rules with an open or acknowledged alert when the run first asked: only those have an alert whose
        condition can clear (one the run opens itself stands for a finding it made). Most rules have none on
        most nights, and judging them then writes nothing."""
        return self.shared(
            "open_rules",
            lambda: set(
                Alert.objects.filter(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED])
                .order_by()
                .values_list("rule", flat=True)
                .distinct()
            ),
        )

    def active(self) -> list[Project]:
        """Projects for which the day is a construction day under their policy."""
        return self.shared("active", lambda: [p for p in self.projects.values() if self.is_construction_day(p.pk)])

    def active_ids(self) -> set[int]:
        return {p.pk for p in self.active()}

    def is_construction_day(self, project_id: int, day: dt.date | None = None) -> bool:
        policy = self.policy(project_id)
        return bool(
            construction_days(
                self.timelines[project_id],
                [day or self.day],
                count_sundays=policy.count_sundays,
                count_holidays=policy.count_holidays,
            )
        )

    def previous_construction_day(self, project_id: int) -> dt.date:
        """The project's last construction day before the day judged (within two weeks; else the day
        before): an alert last seen then is the same occurrence going on."""
        known = self.shared("previous_days", dict)
        if project_id not in known:
            known[project_id] = self.day - dt.timedelta(days=1)
            if project_id in self.projects:
                for back in range(1, 15):
                    day = self.day - dt.timedelta(days=back)
                    if self.is_construction_day(project_id, day):
                        known[project_id] = day
                        break
        return known[project_id]

    @property
    def is_month_end(self) -> bool:
        return is_month_end(self.day)

    def engaged_on_day(self, prefix: str = "") -> Q:
        """Engagements (reached through `prefix`) running on the day judged."""
        return Q(**{f"{prefix}entered_on__lte": self.day}) & (
            Q(**{f"{prefix}exited_on__isnull": True}) | Q(**{f"{prefix}exited_on__gte": self.day})
        )

    def devices_in_service(self) -> dict[int, list[Device]]:
        """The devices in service on the active projects, by project."""

        def load():
            by_project: dict[int, list[Device]] = {pk: [] for pk in self.active_ids()}
            for device in Device.objects.filter(project_id__in=by_project, state=DeviceState.ACTIVE).select_related(
                "vendor"
            ):
                by_project[device.project_id].append(device)
            return by_project

        return self.shared("devices", load)

    def month_presence(self):
        """The month judged on its last night (R11, R16): every project with a construction day in it."""

        def load():
            presence = month_presence(
                projects=list(self.projects.values()),
                month=month_start(self.day),
                until=self.day,
                book=self.book,
                timelines=self.timelines,
            )
            return {pk: p for pk, p in presence.items() if p.judged}

        return self.shared("month_presence", load)

    def position_names(self) -> dict[str, str]:
        return self.shared("positions", position_names)


def build_context(
    day: dt.date, *, project_ids=None, unit_projects: frozenset[int] | None = None, book: PolicyBook | None = None
) -> Context:
    """The context of `day`, for every project the rules judge (or only those given): out of the real-name
    scope only where the project's policy judges every project. `book`: the policies to judge by, if not
    those in force that day (a draft's preview, inspections.engine.preview)."""
    projects = projects_judged()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    book = book or policies_in_force(day)
    by_pk = {p.pk: p for p in projects if p.in_scope or not book.for_project(p).scope_only}
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return Context(
        day=day,
        day_start=start,
        day_end=start + dt.timedelta(days=1),
        projects=by_pk,
        timelines=timelines_for(by_pk),
        book=book,
        unit_projects=unit_projects,
    )
