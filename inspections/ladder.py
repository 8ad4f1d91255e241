"""The escalation ladder (吉建管〔2021〕6号 附件1 and 五(四); 鄂建文〔2019〕27号 一(六)): what follows an
order whose deadline passed while the same subject still fails. The steps after a rectification order
are each rule's own (its SPEC's `ladder`); the steps after the other orders are the same for every rule."""

from __future__ import annotations

from inspections.choices import MeasureKind
from inspections.rules import rule
from inspections.rules.base import Step, Target

# 保障农民工工资支付条例 art. 55, as 吉建管〔2021〕6号 五(四) applies it: 5万以上10万以下的罚款.
ARTICLE_55_MIN_FINE = 50_000
ARTICLE_55_MAX_FINE = 100_000

# 吉建管〔2021〕6号 五(四): a stop-work order not complied with is followed by the fine.
AFTER_STOP_WORK = (Step(MeasureKind.PENALTY, (Target.CONTRACTOR, Target.PROJECT_MANAGER)),)
# 鄂建文〔2019〕27号 一(六): a supervision notice not complied with is reported to the regulator, who orders
# the rectification.
AFTER_SUPERVISION_NOTICE = (Step(MeasureKind.RECTIFICATION),)


def next_steps(*, kind: str, basis: str, position: str = "") -> tuple[Step, ...]:
    """The measures to propose when an order of `kind` about `basis` (a rule code) is overdue; for a
    finding about a manager, `position` is the manager's."""
    if kind == MeasureKind.SUPERVISION_NOTICE:
        return AFTER_SUPERVISION_NOTICE
    if kind == MeasureKind.STOP_WORK:
        return AFTER_STOP_WORK
    return rule(basis).ladder_for(position)
