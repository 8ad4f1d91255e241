"""Reads of enforcement (查处): open findings, credit over time and a campaign's progress. Who reads which
records, and who acts on them, is the one scope's (projects.scope: `Alert.objects.restrict(user)`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from inspections.choices import CaseState, InspectionKind, MeasureState
from inspections.models import Alert, AlertState, Campaign, CreditRecord, Inspection, InspectionFinding
from inspections.selectors.timelines import projects_active_between
from projects.scope import scope_of
from smz_platform.common.months import month_end, previous_month


def overdue_q(today: dt.date) -> Q:
    """逾期: an order issued and not answered whose deadline has passed (the 待办's group, the measures
    list's filter and the nightly escalation all ask this)."""
    return Q(state=MeasureState.ISSUED, deadline__lt=today)


def open_findings_by_project(project_ids) -> dict[int, int]:
    """Alerts still open or acknowledged, and inspection findings not yet closed, per project."""
    counts: defaultdict[int, int] = defaultdict(int)
    for row in (
        Alert.objects.filter(project_id__in=project_ids, state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED])
        .values("project_id")
        .annotate(n=Count("id"))
    ):
        counts[row["project_id"]] += row["n"]
    for row in (
        InspectionFinding.objects.filter(inspection__project_id__in=project_ids)
        .exclude(case__state=CaseState.CLOSED)
        .values("inspection__project_id")
        .annotate(n=Count("id"))
    ):
        counts[row["inspection__project_id"]] += row["n"]
    return dict(counts)


@dataclass(frozen=True)
class CreditPoint:
    month: str
    score: int


CREDIT_FULL_SCORE = 100


def credit_history(
    *, enterprise=None, person=None, months: int = 12, today: dt.date | None = None
) -> list[CreditPoint]:
    """The credit score at the end of each of the last `months` months: full marks less every scored
    deduction up to then (the scores over time of enterprises and key persons)."""
    today = today or timezone.localdate()
    records = CreditRecord.objects.filter(scored=True)
    records = records.filter(enterprise=enterprise) if enterprise is not None else records.filter(person=person)
    deductions = sorted(records.values_list("day", "points"))
    points = []
    month = today.replace(day=1)
    for _ in range(months):
        cutoff = min(month_end(month), today)
        lost = sum(p for day, p in deductions if day <= cutoff)
        points.append(CreditPoint(month.strftime("%Y-%m"), max(CREDIT_FULL_SCORE - lost, 0)))
        month = previous_month(month)
    return list(reversed(points))


@dataclass(frozen=True)
class CampaignProgress:
    district: str
    district_name: str
    active_projects: int
    inspected_projects: int

    @property
    def ratio(self) -> float | None:
        return round(self.inspected_projects / self.active_projects, 3) if self.active_projects else None


def campaign_progress(*, campaign: Campaign, user) -> list[CampaignProgress]:
    """Per district taking part (of the user's jurisdiction): projects inspected by regulators during
    the campaign over the projects under construction in its period."""
    districts = campaign.districts.filter(pk__in=scope_of(user).districts())
    active = dict(
        projects_active_between(campaign.starts_on, campaign.ends_on)
        .filter(district__in=districts)
        .values("district_id")
        .annotate(n=Count("id"))
        .values_list("district_id", "n")
    )
    inspected = dict(
        Inspection.objects.filter(
            project__district__in=districts,
            day__gte=campaign.starts_on,
            day__lte=campaign.ends_on,
            kind__in=[InspectionKind.ONLINE_PATROL, InspectionKind.SITE_VISIT],
            project__in=projects_active_between(campaign.starts_on, campaign.ends_on),
        )
        .values("project__district_id")
        .annotate(n=Count("project_id", distinct=True))
        .values_list("project__district_id", "n")
    )
    return [
        CampaignProgress(d.code, d.name, active.get(d.pk, 0), inspected.get(d.pk, 0))
        for d in districts.order_by("code")
    ]
