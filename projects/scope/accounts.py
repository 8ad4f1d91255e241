"""Accounts and their jurisdiction, as the one scope reads them: which jurisdiction a role needs (for
create_account, the admin's forms), which jurisdiction fields a non-operator may set on an account, the
district's signing staff, the firms' accounts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from projects.choices import RegionLevel, Role
from projects.scope.core import Kind, Scope

ACCOUNT_ROLES = Role.values
# Django's permission fields: the operator's alone (never shown to, or accepted from, anyone else).
PERMISSION_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
JURISDICTION_FIELDS = ("role", "region", "district", "enterprise")


def account_jurisdiction_check(*, role: str, district, enterprise, region=None) -> None:
    """The jurisdiction the role needs, and nothing else: for the command, the admin's forms, the API.
    A city's account names its city once the platform serves a province (else it would read every city)."""
    from projects.models import Region

    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role %(role)s.") % {"role": role}]})
    if role == Role.PROVINCE and (region is None or region.level != RegionLevel.PROVINCE):
        raise ValidationError({"region": [_("A provincial regulator needs a province.")]})
    if role == Role.CITY and region is not None and region.level != RegionLevel.CITY:
        raise ValidationError({"region": [_("A city regulator's region is a city.")]})
    if role == Role.CITY and region is None and Region.objects.filter(level=RegionLevel.PROVINCE).exists():
        raise ValidationError({"region": [_("The platform serves a province: name the city regulator's city.")]})
    if role not in (Role.PROVINCE, Role.CITY) and region is not None:
        raise ValidationError({"region": [_("Only provincial and city regulators have a province or city.")]})
    if role == Role.DISTRICT and (district is None or district.level != RegionLevel.DISTRICT):
        raise ValidationError({"district": [_("District staff need a district.")]})
    if role != Role.DISTRICT and district is not None:
        raise ValidationError({"district": [_("Only district staff have a district.")]})
    if role in (Role.ENTERPRISE, Role.VENDOR) and enterprise is None:
        raise ValidationError({"enterprise": [_("This role needs an enterprise.")]})
    if role in (Role.PROVINCE, Role.CITY, Role.DISTRICT) and enterprise is not None:
        raise ValidationError({"enterprise": [_("Regulators do not belong to an enterprise.")]})
    if role == Role.VENDOR and not enterprise.is_vendor:
        raise ValidationError({"enterprise": [_("%(name)s is not a device vendor.") % {"name": enterprise.name}]})


def assignable_roles(scope: Scope) -> list[str]:
    """The roles a regulator may give an account inside its jurisdiction (never a level above its own)."""
    if scope.is_operator:
        return list(Role.values)
    if scope.kind is Kind.PROVINCE:
        return [Role.CITY, Role.DISTRICT, Role.ENTERPRISE, Role.VENDOR]
    if scope.kind is Kind.CITY:
        return [Role.CITY, Role.DISTRICT, Role.ENTERPRISE, Role.VENDOR]
    return []


def assignable_regions(scope: Scope) -> QuerySet:
    """The provinces or cities a regulator may give an account: a province its cities; a city its own."""
    from projects.models import Region

    if scope.is_operator or (scope.kind is Kind.CITY and scope.region_id is None):
        return Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
    if scope.kind is Kind.PROVINCE:
        return Region.objects.filter(level=RegionLevel.CITY, parent_id=scope.region_id)
    if scope.kind is Kind.CITY:
        return Region.objects.filter(pk=scope.region_id)
    return Region.objects.none()


def assignable_districts(scope: Scope) -> QuerySet:
    """The districts whose staff accounts a regulator may make: those it governs."""
    from projects.models import Region
    from projects.scope.reaches import governed_districts

    if scope.is_operator or scope.kind in (Kind.PROVINCE, Kind.CITY):
        return governed_districts(scope)
    return Region.objects.none()


def assignable_enterprises(scope: Scope) -> QuerySet:
    """The firms whose accounts a regulator may make: those of the projects it governs."""
    from projects.models import Enterprise
    from projects.scope.reaches import CITY_FIRMS, Paths

    if scope.is_operator:
        return Enterprise.objects.all()
    if scope.kind not in (Kind.PROVINCE, Kind.CITY):
        return Enterprise.objects.none()
    return Enterprise.objects.filter(CITY_FIRMS.build(scope, Paths(enterprise="")))


def district_signers(district) -> QuerySet:
    """The district's own active staff accounts (the nightly job signs a district's draft with the first)."""
    from projects.models import User

    return User.objects.filter(role=Role.DISTRICT, district=district, is_active=True).order_by("pk")


def firm_accounts_q(prefix: str = "") -> Q:
    """Accounts of firms (enterprises and vendors), reached through `prefix` (e.g. "user__")."""
    return Q(**{f"{prefix}role__in": [Role.ENTERPRISE, Role.VENDOR]})


def role_words(user) -> str:
    """The account's role as a regulator reads it (为 the admin's lists and the audit)."""
    role = getattr(user, "role", "")
    return Role(role).label if role in Role.values else ""
