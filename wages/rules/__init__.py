"""The wage rules W1–W7, one module each (`wN_<name>.py`), gathered into the one rule registry
(inspections.rules) through `WagesConfig.rule_package`: the nightly run, the alert lifecycle, the triage,
the admin and docs/rules.md treat them as they treat R01–R17.

What they share: the months a night judges, and the escalation that follows an overdue order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from inspections.choices import MeasureKind
from inspections.models import LIVE_STATES, Alert
from inspections.rules.base import Cadence, Occurrence, RuleSpec, Step, Target
from smz_platform.common.months import month_start, shift_month
from wages.selectors import WorkerMonth, pay_day, worker_months

# The months looked back at each night beyond those with a live alert: a month's wages fall due in the
# next month, so three months cover every month that fell due lately.
LOOKBACK_MONTHS = 3

# 保障农民工工资支付条例 第五十五条, as 吉建管〔2021〕6号 五(四) applies it: "责令限期改正，逾期不改正的，
# 责令项目停工，并处5万元以上10万元以下的罚款"; and the bad-conduct record of 鄂建文〔2019〕27号 二(三) (诚信信息).
WAGE_LADDER = {
    "": (
        Step(MeasureKind.STOP_WORK),
        Step(MeasureKind.PENALTY, (Target.CONTRACTOR,)),
        Step(MeasureKind.CREDIT, (Target.CONTRACTOR,)),
    )
}


def months_judged(ctx, code: str, *, due: bool) -> dict[int, set[dt.date]]:
    """The months each active project is judged for on the night of `ctx.day`: the last LOOKBACK_MONTHS
    months that are over (and, with `due`, whose pay day has passed under the project's policy), and every
    month that still has a live alert of the rule, so that an alert never clears by growing old."""
    if code not in MONTHLY:
        raise ValueError(f"{code} judges months: list it in wages.rules.MONTHLY")
    this_month = month_start(ctx.day)
    months: dict[int, set[dt.date]] = defaultdict(set)
    for project in ctx.active():
        policy = ctx.policy(project.pk)
        for back in range(1, LOOKBACK_MONTHS + 1):
            month = shift_month(this_month, -back)
            if not due or pay_day(month, policy) < ctx.day:
                months[project.pk].add(month)
    for project_id, start in _live_months(ctx).get(code, ()):
        months[project_id].add(month_start(start))
    return months


# The rules that judge months through months_judged: their live alerts are read in one query a night.
MONTHLY = ("W1", "W2", "W3", "W4")


def _live_months(ctx) -> dict[str, list[tuple[int, dt.date]]]:
    def load() -> dict[str, list[tuple[int, dt.date]]]:
        live: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
        for rule, project_id, start in Alert.objects.filter(
            rule__in=MONTHLY, project_id__in=ctx.active_ids(), state__in=LIVE_STATES
        ).values_list("rule", "project_id", "period_start"):
            live[rule].append((project_id, start))
        return live

    return ctx.shared("wages.live_months", load)


def worker_months_judged(ctx, judged: dict[int, set[dt.date]]) -> dict[tuple[int, int, dt.date], WorkerMonth]:
    """worker_months over the active projects for the months `judged` names, read once a night for the rules
    that ask (W1, W2, W3 judge the same worker-months: presence and lines are read once, not three times).
    What is read covers the lookback window and the judged months; each rule keeps its own months."""
    window = {shift_month(month_start(ctx.day), -back) for back in range(1, LOOKBACK_MONTHS + 1)}
    months = frozenset(window | {m for months in judged.values() for m in months})
    name = "wages.worker_months:" + ",".join(sorted(f"{m:%Y-%m}" for m in months))
    return ctx.shared(name, lambda: worker_months(project_ids=ctx.active_ids(), months=months))


def wage_rule(**declared) -> RuleSpec:
    """A wage rule's SPEC: what every wage rule shares (outside 甬建函's fourteen categories and Annex 1, judged
    nightly, one alert per period, the wage ladder) unless its module says otherwise."""
    shared = {
        "category": 0,
        "annex1_row": None,
        "occurrence": Occurrence.PERIOD,
        "cadence": Cadence.NIGHTLY,
        "ladder": WAGE_LADDER,
    }
    return RuleSpec(**{**shared, **declared})
