"""The escalation ladder (seed 001 Annex 1 and §五(四); seed 004 §一(六)): what follows an order
whose deadline passed while the rule that caused it still fires. Pure data and one pure function."""

from __future__ import annotations

from inspections.choices import MeasureKind

# Seed 001 Annex 1: item 1 (devices and their connection), item 2 (managers on duty), item 3
# (workers' attendance): "拒不整改或整改不合格的 / 限期整改后仍不足的" → administrative penalty and a
# bad-conduct record (诚信不良行为记录).
_CHECKLIST = (MeasureKind.PENALTY, MeasureKind.CREDIT)
LADDER: dict[str, tuple[str, ...]] = {
    "R01": _CHECKLIST,
    "R02": _CHECKLIST,
    "R03": _CHECKLIST,
    "R11": _CHECKLIST,
    "R15": _CHECKLIST,
}
# Seed 001 §五(四), after article 55 of the wage payment regulation: "责令限期改正，逾期不改正的，责令项目
# 停工，并处以5万以上10万以下的罚款".
DEFAULT_NEXT = (MeasureKind.STOP_WORK, MeasureKind.PENALTY)
# Seed 004 §一(六): a supervision notice not complied with is reported to the regulator, who orders
# the rectification.
AFTER_SUPERVISION_NOTICE = (MeasureKind.RECTIFICATION,)
ARTICLE_55_MIN_FINE = 50_000
ARTICLE_55_MAX_FINE = 100_000


def next_measures(*, kind: str, basis: str) -> tuple[str, ...]:
    """The measures to propose when an order of `kind` about `basis` (a rule code) is overdue."""
    if kind == MeasureKind.SUPERVISION_NOTICE:
        return AFTER_SUPERVISION_NOTICE
    if kind == MeasureKind.STOP_WORK:
        return (MeasureKind.PENALTY,)
    return LADDER.get(basis, DEFAULT_NEXT)
