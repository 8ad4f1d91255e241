"""A hand-computed Annex 1 scenario for November 2026 (today: 25 November).

Haishu: P1 (the city fixture's project) has R01 and R07 alerts and a stop-work order, a credit
punishment and a circular (rows 1, 2, 3, 5, 6, 7); P3's R06 alert was dismissed and its R12 alert is
from October, but a site visit found R02 (rows 1, 4); P4's resolved R03 alert overlaps the period
and it is under key supervision (rows 1, 2, 8); P5 was completed in October (nothing). The vendor is
blacklisted twice in Haishu (counted once) and once in Jiangbei. Jiangbei: P2 has an R12 alert
(rows 1, 2); P6 has not started.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from inspections.models import Alert, Measure
from inspections.services.cases import case_open
from inspections.services.inspections import FindingIn, inspection_record
from inspections.services.measures import MeasureIn, measure_issue, measure_withdraw
from projects.choices import ParticipantRole, ProjectStatus
from tests.factories import ProjectFactory, participate

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
HAISHU = (3, 2, 1, 1, 1, 1, 1, 1, 1)
JIANGBEI = (1, 1, 0, 0, 0, 0, 0, 0, 1)
TOTAL = (4, 3, 1, 1, 1, 1, 1, 1, 1)  # row 9: the one vendor, blacklisted in both districts


def _alert(project, rule, start, end, state="open", n=0):
    now = timezone.now()
    return Alert.objects.create(
        key=f"{rule}:{project.pk}:scenario:{n}",
        rule=rule,
        project=project,
        subject_type="project",
        subject_id=project.pk,
        subject=project.name,
        period_start=start,
        period_end=end,
        state=state,
        first_detected=now,
        last_seen=now,
        evidence={"note": "scenario"},
    )


def build(city) -> dict:
    d = dt.date
    p1, p2 = city.project, city.other_project
    p3 = ProjectFactory(name="海曙望春安置房", district=city.haishu)
    p4 = ProjectFactory(name="海曙石碶人才公寓", district=city.haishu)
    p5 = ProjectFactory(
        name="海曙已竣工项目", district=city.haishu, status=ProjectStatus.COMPLETED, completed_on=d(2026, 10, 15)
    )
    # Not started: its permit's planned start is after the period (a planned start already passed would make
    # it under construction, reported or not).
    p6 = ProjectFactory(
        name="江北未开工项目",
        district=city.jiangbei,
        status=ProjectStatus.NOT_STARTED,
        planned_start=d(2026, 12, 15),
        actual_start=None,
    )
    # The vendor serves p3 and p2 too (a measure falls only on a firm of the case's own project).
    participate(p3, city.vendor, ParticipantRole.VENDOR)
    participate(p2, city.vendor, ParticipantRole.VENDOR)
    _alert(p1, "R01", d(2026, 11, 5), d(2026, 11, 10))
    _alert(p1, "R07", d(2026, 11, 12), d(2026, 11, 12), state="acknowledged")
    _alert(p3, "R06", d(2026, 11, 3), d(2026, 11, 4), state="dismissed")
    _alert(p3, "R12", d(2026, 10, 20), d(2026, 10, 31))
    _alert(p4, "R03", d(2026, 10, 28), d(2026, 11, 2), state="resolved")
    _alert(p2, "R12", d(2026, 11, 5), d(2026, 11, 9))
    _alert(p5, "R01", d(2026, 10, 1), d(2026, 10, 10))
    haishu, city_user = city.users["haishu"], city.users["city"]
    inspection_record(
        user=haishu,
        project=p3,
        kind="site_visit",
        day=d(2026, 11, 15),
        inspectors="李明",
        findings=[FindingIn("R02", "闸机经第三方平台转发数据")],
    )

    def issue(case, kind, day, **fields):
        return measure_issue(user=city_user, case=case, data=MeasureIn(kind=kind, issued_on=day, **fields))

    c1 = case_open(
        user=haishu, project=p1, title="考勤照片造假", alert_ids=list(p1.alerts.values_list("pk", flat=True))
    )
    issue(c1, "stop_work", d(2026, 11, 10), basis="R07")
    issue(c1, "credit", d(2026, 11, 11), basis="R07")
    issue(c1, "circular", d(2026, 11, 12), basis="R07")
    issue(c1, "vendor_blacklist", d(2026, 11, 12), target_enterprise=city.vendor)
    withdrawn = issue(c1, "key_supervision", d(2026, 11, 12))
    measure_withdraw(user=city_user, measure=withdrawn, reason="复核撤销")
    c3 = case_open(user=haishu, project=p3, title="设备未直连")
    issue(c3, "vendor_blacklist", d(2026, 11, 20), target_enterprise=city.vendor)  # the same vendor again
    c4 = case_open(user=haishu, project=p4, title="设备离线")
    issue(c4, "key_supervision", d(2026, 11, 20))
    issue(c4, "circular", d(2026, 10, 30))  # before the period
    # A proposal nobody confirmed: not a measure taken.
    Measure.objects.create(
        case=c4,
        kind="circular",
        state="proposed",
        issued_on=d(2026, 11, 21),
        issuing_body="海曙区住房和城乡建设局",
        created_at=timezone.now(),
    )
    c2 = case_open(user=city_user, project=p2, title="连续无考勤")
    issue(c2, "vendor_blacklist", d(2026, 11, 3), target_enterprise=city.vendor)
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6, "c1": c1}
