"""Whether a punch counts for attendance (计入考勤): the one answer every page, list, API, admin page and
presence figure asks.

A punch counts when the device's liveness check did not refuse it at intake (``Punch.valid``) and no
rule has found it false since (a standing ``PunchVerdict``: R06, R07, R08, R09, R10, R13), or staff
lifted that finding. The device's own flag alone is not the platform's verdict: a punch the device
passed and R09 found to be another face does not count, and a page that printed the flag would argue
against the platform's own alert in a penalty dispute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from attendance.models import PunchVerdict

REFUSED_AT_THE_DEVICE = "设备活体检测未通过"


def standing_verdicts(punch: str = "id", *, within: tuple | None = None) -> Exists:
    """A rule's finding against the punch (``punch`` names its id in the outer query) that staff have not lifted.

    ``within`` (project, start, end) says the outer punches are of that project and time: the same
    verdicts are then found through their own (project, punched_at) index, a verdict carrying its punch's
    project and time (inspections.services.verdicts), instead of every standing verdict of the city."""
    verdicts = PunchVerdict.objects.filter(punch_id=OuterRef(punch), lifted_at__isnull=True)
    if within is not None:
        project, start, end = within
        verdicts = verdicts.filter(project=project, punched_at__gte=start, punched_at__lt=end)
    return Exists(verdicts)


def counts_q(prefix: str = "", *, within: tuple | None = None) -> Q:
    """The punches that count, as a filter on punches (``prefix`` for a relation to them; ``within``: see
    standing_verdicts)."""
    return Q(**{f"{prefix}valid": True}) & ~standing_verdicts(f"{prefix}id", within=within)


@dataclass(frozen=True)
class Verdict:
    """A punch's verdict as a page says it: counts or not, and if not, which rule found it and why."""

    counts: bool
    rule: str = ""  # the rule that found it false; "" when the device refused it, or it counts
    reason: str = ""

    @property
    def sentence(self) -> str:
        if self.counts:
            return "计入考勤"
        return f"不计入考勤（{self.rule}：{self.reason}）" if self.rule else f"不计入考勤（{self.reason}）"


def verdicts_of(punches: Iterable) -> dict[int, Verdict]:
    """The verdict of each punch given (objects with ``pk`` and ``valid``), in one query."""
    punches = list(punches)
    found: dict[int, tuple[str, str]] = {}
    for punch_id, rule, reason in (
        PunchVerdict.objects.filter(punch_id__in=[p.pk for p in punches], lifted_at__isnull=True)
        .order_by("found_at", "id")
        .values_list("punch_id", "rule", "reason")
    ):
        found.setdefault(punch_id, (rule, reason))  # the first finding names it; any one is enough
    verdicts = {}
    for punch in punches:
        if punch.pk in found:
            verdicts[punch.pk] = Verdict(False, *found[punch.pk])
        elif not punch.valid:
            verdicts[punch.pk] = Verdict(False, "", REFUSED_AT_THE_DEVICE)
        else:
            verdicts[punch.pk] = Verdict(True)
    return verdicts
