"""诚信扣分: the credit records a measure leaves, from the deduction table."""

from __future__ import annotations

from inspections.choices import CreditBasis, MeasureKind
from inspections.models import AlertState, CreditDeduction, CreditRecord, Measure
from inspections.selectors import policy_for


def credit_points(*, measure: Measure) -> int:
    """The points a measure deducts: as given on it, else the table's for a credit punishment's finding
    category, else the table's for the measure's kind."""
    if measure.points is not None:
        return measure.points
    if measure.kind == MeasureKind.CREDIT and measure.basis:
        row = CreditDeduction.objects.filter(basis=CreditBasis.CATEGORY, code=measure.basis).first()
    else:
        row = CreditDeduction.objects.filter(basis=CreditBasis.MEASURE, code=measure.kind).first()
    return row.points if row else 0


def of_the_trial_period(measure: Measure, go_live) -> bool:
    """The measure answers only findings whose condition held before the policy's go-live date (中山 2019
    上线通知 四(四): "不作考核及诚信扣分"): judged by the findings of its basis in the case, else by its date."""
    if go_live is None:
        return False
    if measure.basis:
        alerts = measure.case.alerts.filter(rule=measure.basis).exclude(state=AlertState.DISMISSED)
        findings = measure.case.findings.filter(category=measure.basis)
        if alerts.exists() or findings.exists():
            return not (alerts.filter(scored=True).exists() or findings.filter(inspection__day__gte=go_live).exists())
    return measure.issued_on < go_live


def credit_records_create(*, measure: Measure) -> list[CreditRecord]:
    """One record per subject (the enterprise concerned, the person concerned), deducting nothing for a
    measure on findings of the trial period."""
    points = credit_points(measure=measure)
    if points == 0 or measure.issued_on is None:
        return []
    scored = not of_the_trial_period(measure, policy_for(project=measure.case.project).go_live)
    reason = f"{measure.get_kind_display()}：{measure.case.title}"[:200]
    records = [
        CreditRecord(
            measure=measure,
            enterprise_id=enterprise_id,
            person_id=person_id,
            day=measure.issued_on,
            points=points,
            scored=scored,
            reason=reason,
        )
        for enterprise_id, person_id in ((measure.target_enterprise_id, None), (None, measure.target_person_id))
        if enterprise_id or person_id
    ]
    return CreditRecord.objects.bulk_create(records, ignore_conflicts=True)


def credit_records_void(*, measure: Measure) -> int:
    """A withdrawn measure deducts nothing; its records stay, unscored, for the record."""
    return CreditRecord.objects.filter(measure=measure).update(scored=False)
