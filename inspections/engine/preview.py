"""A draft policy judged over last month in a sandbox (issue 24): the rules its changed settings touch, run
day by day with the draft in place of the policy for the districts it governs, their findings compared
with the alerts recorded for the month. Nothing is written: the rules' selectors only read, and the
findings never reach the alert lifecycle.

Which rules: those whose declared thresholds (or invalidation option) the draft changes; a setting no
rule declares (the calendar, the valid day, who is judged, the scope) can move any figure, so it
re-judges every rule. A draft that changes what counts as a valid punch shows its own findings, but the
rules that read presence count the punches as the verdicts recorded under the policy in force."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from inspections.engine import _findings, order_of_judgement
from inspections.engine.context import build_context
from inspections.models import Alert, Policy
from inspections.rules import annex1_rows, registry
from inspections.rules.base import RuleSpec
from inspections.selectors.policies import PolicyBook, policies_in_force, setting_values
from projects.models import Project, Region
from smz_platform.common.months import month_end, month_start, previous_month


@dataclass(frozen=True)
class Change:
    rule: str
    project: str
    subject: str


@dataclass
class DistrictPreview:
    district: str
    appear: list[Change] = field(default_factory=list)
    vanish: list[Change] = field(default_factory=list)
    # Annex 1's finding rows: projects with a finding of the row's rules, recorded and under the draft.
    rows: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Preview:
    first: dt.date
    last: dt.date
    changed: list[str]  # the settings the draft changes
    rules: list[str]  # the rules judged again
    districts: list[DistrictPreview]
    seconds: float = 0.0


def rules_touched(changed: set[str]) -> list[RuleSpec]:
    """The rules a change of these settings can move, in the order the night judges them."""
    declared = {name for spec in registry() for name in (*spec.thresholds, spec.invalidates) if name}
    if changed - declared:
        return order_of_judgement()
    return [s for s in order_of_judgement() if changed & {*s.thresholds, s.invalidates}]


def _draft_book(book: PolicyBook, policy: Policy, draft: Policy, districts: list[int]) -> PolicyBook:
    if policy.district_id is None:
        return PolicyBook(draft, dict(book.by_district))
    return PolicyBook(book.city, {**book.by_district, **dict.fromkeys(districts, draft)})


def governed_districts(policy: Policy) -> list[int]:
    """The districts whose projects the policy governs today."""
    book = policies_in_force()
    return [
        pk
        for pk in Region.objects.filter(level="district").values_list("pk", flat=True)
        if book.for_district(pk).pk == policy.pk
    ]


def policy_preview(
    *, policy: Policy, draft: Policy, today: dt.date, progress: Callable[[int, int], None] | None = None
) -> Preview:
    """Judge last month (relative to `today`) under the draft; `progress(done, total)` after each day."""
    import time

    started = time.perf_counter()
    first = previous_month(month_start(today))
    last = month_end(first)
    before, after = setting_values(policy), setting_values(draft)
    changed = sorted(name for name in after if before.get(name) != after[name])
    specs = rules_touched(set(changed))
    districts = governed_districts(policy)
    projects = dict(Project.objects.filter(district_id__in=districts).values_list("pk", "district_id"))
    names = dict(Project.objects.filter(pk__in=projects).values_list("pk", "name"))
    drafted: dict[str, tuple[str, int, str]] = {}
    days = (last - first).days + 1
    for n in range(days):
        day = first + dt.timedelta(days=n)
        book = _draft_book(policies_in_force(day), policy, draft, districts)
        ctx = build_context(day, project_ids=projects, book=book)
        for spec in specs:
            for finding in _findings(spec, ctx):
                if finding.project_id in projects:
                    drafted.setdefault(finding.key, (spec.code, finding.project_id, finding.subject))
        if progress:
            progress(n + 1, days)
    judged = {s.code for s in specs}
    recorded = {
        key: (code, project_id, subject)
        for key, code, project_id, subject in Alert.objects.filter(
            project_id__in=projects, period_start__lte=last, period_end__gte=first
        ).values_list("subject_key", "rule", "project_id", "subject")
    }
    # The month under the draft: the rules judged again as the draft finds, every other rule as recorded.
    kept = {key: found for key, found in recorded.items() if found[0] not in judged}
    return Preview(
        first=first,
        last=last,
        changed=changed,
        rules=sorted(judged),
        districts=_by_district(recorded, {**kept, **drafted}, projects, names, districts),
        seconds=round(time.perf_counter() - started, 1),
    )


def _by_district(recorded: dict, drafted: dict, projects: dict, names: dict, districts: list[int]):
    region_names = dict(Region.objects.filter(pk__in=districts).values_list("pk", "name"))
    result = {pk: DistrictPreview(region_names[pk]) for pk in districts}
    for key in sorted(set(drafted) - set(recorded)):
        code, project_id, subject = drafted[key]
        result[projects[project_id]].appear.append(Change(code, names[project_id], subject))
    for key in sorted(set(recorded) - set(drafted)):
        code, project_id, subject = recorded[key]
        result[projects[project_id]].vanish.append(Change(code, names[project_id], subject))
    for row, codes in annex1_rows().items():
        counts = defaultdict(lambda: [set(), set()])
        for side, found in enumerate((recorded, drafted)):
            for code, project_id, _subject in found.values():
                if code in codes:
                    counts[projects[project_id]][side].add(project_id)
        for pk in districts:
            was, will = counts[pk]
            result[pk].rows[row] = (len(was), len(will))
    return sorted(result.values(), key=lambda d: d.district)
