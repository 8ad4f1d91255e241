"""The policies in force (考核口径): the platform-wide one, and a province's, a city's or a district's own
where it has one (the nearest applies)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from inspections.models import Policy, PolicyVersion
from projects.choices import RegionLevel
from projects.models import Project, Region


@dataclass(frozen=True)
class PolicyBook:
    """Every policy in force, read once: the platform-wide one (`city`: a one-city deployment's city
    policy) and, per district, the nearest region's own: the district's, else its city's, else its
    province's (a province's policy with its cities' and districts' overrides)."""

    city: Policy
    by_district: dict[int, Policy] = field(default_factory=dict)

    def for_district(self, district_id: int) -> Policy:
        return self.by_district.get(district_id, self.city)

    def for_project(self, project: Project) -> Policy:
        return self.for_district(project.district_id)

    def groups(self) -> list[tuple[Policy, list[int] | None]]:
        """Each policy with the districts it governs; the platform-wide one every other district (None)."""
        governed: dict[int, list[int]] = {}
        policies: dict[int, Policy] = {}
        for district, policy in sorted(self.by_district.items()):
            governed.setdefault(policy.pk, []).append(district)
            policies[policy.pk] = policy
        return [(self.city, None), *((policies[pk], districts) for pk, districts in governed.items())]


def _nearest(regional: dict[int, Policy]) -> dict[int, Policy]:
    """Each district's nearest regional policy, up the tree district → city → province."""
    if not regional:
        return {}
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    levels = dict(Region.objects.values_list("pk", "level"))
    resolved = {}
    for district, level in levels.items():
        if level != RegionLevel.DISTRICT:
            continue
        region: int | None = district
        while region is not None and region not in regional:
            region = parents.get(region)
        if region is not None:
            resolved[district] = regional[region]
    return resolved


def setting_values(policy: Policy) -> dict:
    """A policy's settings as a version keeps them (JSON: dates in ISO, ratios as strings)."""
    values = {}
    for f in Policy.settings_fields():
        value = getattr(policy, f.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal | float) and (places := getattr(f, "decimal_places", None)) is not None:
            value = f"{Decimal(str(value)):.{places}f}"  # 0.8 and 0.800 are one value
        values[f.name] = value
    return values


def with_values(policy: Policy, values: dict) -> Policy:
    """A copy of the policy (same row, not saved) holding `values` (a version's, or a draft's)."""
    held = copy.copy(policy)
    for f in Policy.settings_fields():
        if f.name in values:
            setattr(held, f.name, f.to_python(values[f.name]))
    return held


def version_in_force(versions: list[PolicyVersion], day: dt.date) -> PolicyVersion | None:
    """Of one policy's versions, the one in force on `day`: the latest effective by then (the latest
    recorded among those of one day)."""
    held = [v for v in versions if v.effective_from is None or v.effective_from <= day]
    return max(held, key=lambda v: (v.effective_from or dt.date.min, v.created_at, v.pk), default=None)


def _as_of(policies: list[Policy], day: dt.date | None) -> list[Policy]:
    """Each policy as it stood on `day` (today by default): a changed one holds the values of its version in
    force then; one never changed, its own. One query more only when some policy has versions."""
    versioned = [p.pk for p in policies if p.versioned]
    if not versioned:
        return policies
    day = day or timezone.localdate()
    versions: dict[int, list[PolicyVersion]] = {}
    for version in PolicyVersion.objects.filter(policy_id__in=versioned):
        versions.setdefault(version.policy_id, []).append(version)
    held = []
    for policy in policies:
        version = version_in_force(versions.get(policy.pk, []), day)
        held.append(with_values(policy, version.values) if version else policy)
    return held


def policies_in_force(day: dt.date | None = None) -> PolicyBook:
    """The policies as they stood on `day` (today by default): two small queries whatever the number of
    districts (three once a policy has been changed)."""
    policies = _as_of(list(Policy.objects.filter(in_force=True)), day)
    city = next((p for p in policies if p.district_id is None), None)
    if city is None:
        raise Policy.DoesNotExist("No city-wide policy is in force.")
    return PolicyBook(city, _nearest({p.district_id: p for p in policies if p.district_id is not None}))


def policy_as_of(policy: Policy, day: dt.date | None = None) -> Policy:
    """One policy as it stood on `day` (today by default)."""
    return _as_of([policy], day)[0]


def policy_for(*, project: Project, day: dt.date | None = None) -> Policy:
    """The nearest region's own policy in force (the district's, its city's, its province's), else the
    platform-wide one, as it stood on `day` (today by default)."""
    district = project.district
    chain = [district.pk, district.parent_id]
    if district.parent_id:
        chain.append(Region.objects.filter(pk=district.parent_id).values_list("parent_id", flat=True).first())
    own = {p.district_id: p for p in Policy.objects.filter(district_id__in=[r for r in chain if r], in_force=True)}
    for region in chain:
        if region in own:
            return _as_of([own[region]], day)[0]
    return _as_of([Policy.objects.get(district__isnull=True, in_force=True)], day)[0]


def policies_governing(districts, day: dt.date | None = None) -> list[tuple[Policy, list[Region]]]:
    """The policies in force over `districts` (an account's jurisdiction) on `day`, each with the districts
    it governs there: the nearest region's own where there is one, else the platform-wide one."""
    book = policies_in_force(day)
    governed: dict[int, tuple[Policy, list[Region]]] = {}
    for district in districts:
        policy = book.for_district(district.pk)
        governed.setdefault(policy.pk, (policy, []))[1].append(district)
    return list(governed.values())
