"""The policies in force (考核口径): the platform-wide one, and a province's, a city's or a district's own
where it has one (the nearest applies)."""

from __future__ import annotations

from dataclasses import dataclass, field

from inspections.models import Policy
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
        region = district
        while region is not None and region not in regional:
            region = parents.get(region)
        if region is not None:
            resolved[district] = regional[region]
    return resolved


def policies_in_force() -> PolicyBook:
    """Two small queries whatever the number of districts."""
    policies = list(Policy.objects.filter(in_force=True))
    city = next((p for p in policies if p.district_id is None), None)
    if city is None:
        raise Policy.DoesNotExist("No city-wide policy is in force.")
    return PolicyBook(city, _nearest({p.district_id: p for p in policies if p.district_id is not None}))


def policy_for(*, project: Project) -> Policy:
    """The nearest region's own policy in force (the district's, its city's, its province's), else the
    platform-wide one."""
    district = project.district
    chain = [district.pk, district.parent_id]
    if district.parent_id:
        chain.append(Region.objects.filter(pk=district.parent_id).values_list("parent_id", flat=True).first())
    own = {p.district_id: p for p in Policy.objects.filter(district_id__in=[r for r in chain if r], in_force=True)}
    for region in chain:
        if region in own:
            return own[region]
    return Policy.objects.get(district__isnull=True, in_force=True)


def policies_governing(districts) -> list[tuple[Policy, list[Region]]]:
    """The policies in force over `districts` (an account's jurisdiction), each with the districts it
    governs there: the nearest region's own where there is one, else the platform-wide one."""
    book = policies_in_force()
    governed: dict[int, tuple[Policy, list[Region]]] = {}
    for district in districts:
        policy = book.for_district(district.pk)
        governed.setdefault(policy.pk, (policy, []))[1].append(district)
    return list(governed.values())
