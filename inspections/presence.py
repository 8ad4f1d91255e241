"""Monthly presence of a project's managers and workers (rules R11 and R16). Pure.

Every ratio divides attended days by construction days (吉建管〔2021〕6号 三(二): 月考勤天数 ÷ 施工日).
Comparisons are exact fractions, so that exactly 80.0% passes an 80% threshold and 79.9% does not.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Staff:
    """One engagement with the days its holder attended (a valid day, by the policy)."""

    engagement: int
    name: str
    id_number: str  # masked
    position: str
    entered_on: dt.date
    exited_on: dt.date | None
    attended: frozenset[dt.date]

    def engaged_on(self, day: dt.date) -> bool:
        return self.entered_on <= day and (self.exited_on is None or day <= self.exited_on)


@dataclass(frozen=True)
class ManagerPresence:
    engagement: int
    name: str
    id_number: str
    position: str
    attended_days: int
    construction_days: int
    ratio: float | None
    threshold: float
    passed: bool


@dataclass(frozen=True)
class WorkerPresence:
    engaged: int
    attended_person_days: int
    rate: float | None
    threshold: float
    passed: bool


def passes(attended: int, required: int, threshold: Decimal) -> bool:
    return required == 0 or Fraction(attended, required) >= Fraction(str(threshold))


def manager_result(
    engagement: int,
    name: str,
    id_number: str,
    position: str,
    attended: int,
    required: int,
    *,
    key_positions: list[str],
    key_ratio: Decimal,
    other_ratio: Decimal,
) -> ManagerPresence:
    """From the counts: attended days of the `required` construction days the manager was held to."""
    threshold = key_ratio if position in key_positions else other_ratio
    return ManagerPresence(
        engagement=engagement,
        name=name,
        id_number=id_number,
        position=position,
        attended_days=attended,
        construction_days=required,
        ratio=round(attended / required, 3) if required else None,
        threshold=float(threshold),
        passed=passes(attended, required, threshold),
    )


def manager_presence(
    manager: Staff, days: list[dt.date], *, key_positions: list[str], key_ratio: Decimal, other_ratio: Decimal
) -> ManagerPresence:
    """`days`: the project's construction days on which managers are held to attendance."""
    required = [day for day in days if manager.engaged_on(day)]
    attended = sum(1 for day in required if day in manager.attended)
    return manager_result(
        manager.engagement,
        manager.name,
        manager.id_number,
        manager.position,
        attended,
        len(required),
        key_positions=key_positions,
        key_ratio=key_ratio,
        other_ratio=other_ratio,
    )


def worker_result(daily: list[tuple[int, int]], engaged: int, *, threshold: Decimal) -> WorkerPresence:
    """From the counts: (attended, engaged) per construction day; the month's rate is the daily mean."""
    ratios = [Fraction(attended, count) for attended, count in daily if count]
    rate = sum(ratios, Fraction(0)) / len(ratios) if ratios else None
    return WorkerPresence(
        engaged=engaged,
        attended_person_days=sum(attended for attended, count in daily if count),
        rate=round(float(rate), 3) if rate is not None else None,
        threshold=float(threshold),
        passed=rate is None or rate >= Fraction(str(threshold)),
    )


Span = tuple[dt.date, dt.date | None]  # entered on, exited on (None: still engaged)


def engaged_counts(spans: list[Span], days: list[dt.date]) -> tuple[list[int], int]:
    """How many engagements were engaged on each of `days` (sorted), and how many on any of them: one
    pass over the span ends, so that a city's workers cost no more than their number."""
    changes: dict[int, int] = defaultdict(int)  # index into days → change of the running count
    any_day = 0
    for entered, exited in spans:
        first = bisect_left(days, entered)  # the first of the days on or after the entry
        last = len(days) if exited is None else bisect_right(days, exited)  # past the last day on or before exit
        if first < last:
            changes[first] += 1
            changes[last] -= 1
            any_day += 1
    counts, running = [], 0
    for index in range(len(days)):
        running += changes.get(index, 0)
        counts.append(running)
    return counts, any_day


def workers_daily(spans: list[Span], attended: list[int], days: list[dt.date], *, threshold: Decimal) -> WorkerPresence:
    """From the engaged spans and the attended workers of each of `days`: the month's worker presence."""
    engaged, engaged_in_month = engaged_counts(spans, days)
    return worker_result(list(zip(attended, engaged, strict=True)), engaged_in_month, threshold=threshold)


def worker_presence(workers: list[Staff], days: list[dt.date], *, threshold: Decimal) -> WorkerPresence:
    """Per construction day, attended workers ÷ engaged workers; the month's rate is their mean."""
    attended = [sum(1 for w in workers if w.engaged_on(day) and day in w.attended) for day in days]
    return workers_daily([(w.entered_on, w.exited_on) for w in workers], attended, days, threshold=threshold)
