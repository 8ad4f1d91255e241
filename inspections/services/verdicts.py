"""Punches the rules find false (attendance.PunchVerdict): written with their finding's alert, lifted
when staff dismiss it; daily presence is recomputed for the days they touch, so a false punch never
makes a day attended (the notices count attendance, not the records that forge it)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from attendance.models import PunchVerdict
from attendance.storage import presence_refresh
from inspections.rules.base import Finding, RuleSpec

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def verdicts_record(*, spec: RuleSpec, findings: list[Finding], alert_ids: dict[str, int], policies) -> int:
    """The false punches of the findings that stand (not dismissed) on projects whose policy makes them
    not count; the presence of their days recomputed. Returns how many punches were newly found false."""
    option = spec.invalidates
    candidates = {}
    now = timezone.now()
    for finding in findings:
        alert_id = alert_ids.get(finding.key)
        if alert_id is None or not finding.false_punches or not getattr(policies(finding.project_id), option):
            continue
        for punch in finding.false_punches:
            candidates[punch.punch_id] = PunchVerdict(
                punch_id=punch.punch_id,
                punched_at=punch.punched_at,
                project_id=punch.project_id,
                person_id=punch.person_id,
                rule=spec.code,
                alert_id=alert_id,
                reason=punch.reason[:200],
                found_at=now,
            )
    if not candidates:
        return 0
    known = set(
        PunchVerdict.objects.filter(rule=spec.code, punch_id__in=list(candidates)).values_list("punch_id", flat=True)
    )
    fresh = [verdict for punch_id, verdict in candidates.items() if punch_id not in known]
    PunchVerdict.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    presence_refresh(keys={(v.person_id, v.project_id, _day(v.punched_at)) for v in fresh if v.person_id})
    return len(fresh)


def verdicts_lift(*, alert_id: int) -> set[tuple[int, dt.date]]:
    """The finding was dismissed: its punches count again. Returns the (project, day)s whose presence
    changed, for what was judged on them to be judged again."""
    standing = PunchVerdict.objects.filter(alert_id=alert_id, lifted_at__isnull=True)
    rows = list(standing.values_list("person_id", "project_id", "punched_at"))
    if not rows:
        return set()
    standing.update(lifted_at=timezone.now())
    keys = {(person_id, project_id, _day(at)) for person_id, project_id, at in rows if person_id}
    presence_refresh(keys=keys)
    return {(project_id, day) for _person, project_id, day in keys}
