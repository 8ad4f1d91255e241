"""The policies in force (考核口径): the city's, and a district's own where it has one."""

from __future__ import annotations

from dataclasses import dataclass, field

from inspections.models import Policy
from projects.models import Project


@dataclass(frozen=True)
class PolicyBook:
    """Every policy in force, read once: the city-wide one and the districts' own."""

    city: Policy
    by_district: dict[int, Policy] = field(default_factory=dict)

    def for_district(self, district_id: int) -> Policy:
        return self.by_district.get(district_id, self.city)

    def for_project(self, project: Project) -> Policy:
        return self.for_district(project.district_id)

    def groups(self) -> list[tuple[Policy, list[int] | None]]:
        """Each policy with the districts it governs; the city's governs every other district (None)."""
        return [(self.city, None), *((policy, [district]) for district, policy in sorted(self.by_district.items()))]


def policies_in_force() -> PolicyBook:
    """One query whatever the number of districts."""
    policies = list(Policy.objects.filter(in_force=True))
    city = next((p for p in policies if p.district_id is None), None)
    if city is None:
        raise Policy.DoesNotExist("No city-wide policy is in force.")
    return PolicyBook(city, {p.district_id: p for p in policies if p.district_id is not None})


def policy_for(*, project: Project) -> Policy:
    """The district's own policy if it has one in force, else the city's."""
    district_policy = Policy.objects.filter(district_id=project.district_id, in_force=True).first()
    return district_policy or Policy.objects.get(district__isnull=True, in_force=True)
