"""The areas an account reports on: which district, city or province a workbook or an overview covers
for this account, and where its pages start."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from projects.choices import RegionLevel
from projects.scope.core import Kind, Scope


@dataclass(frozen=True)
class ReportArea:
    """One of: a district, a city (a sheet per district), a province (a sheet per city)."""

    district: object = None
    city: object = None
    province: object = None


def first_city():
    """The platform's first city (a one-city deployment's only one)."""
    from projects.models import Region

    return Region.objects.filter(level=RegionLevel.CITY).order_by("code").first()


def city_of(scope: Scope):
    """The city a city account reports on: its own, or (an account without one, the operator) the first."""
    if scope.kind is Kind.CITY and scope.region_id is not None:
        return scope.region
    return first_city()


def report_area(scope: Scope, *, district_code: str | None, city_code: str | None) -> ReportArea:
    """The area a regulator's download covers: district staff their own district; a named district within
    the account's jurisdiction; else a city's account its city, a province's account a named city of its
    province or the whole province."""
    from projects.models import Region

    scope.require("regulate", _("Reports are downloaded by the regulators."))
    if scope.kind is Kind.DISTRICT:
        if district_code and district_code != scope.district.code:
            raise PermissionDenied(_("District staff download only their own district's reports."))
        return ReportArea(district=scope.district)
    if district_code:
        district = Region.objects.filter(code=district_code, level=RegionLevel.DISTRICT).first()
        if district is None:
            raise ValidationError({"district": [_("No district with code %(code)s.") % {"code": district_code}]})
        scope.authorize(district, "read_reports", _("The district is outside your jurisdiction."))
        return ReportArea(district=district)
    if scope.kind is Kind.PROVINCE:
        if not city_code:
            return ReportArea(province=scope.region)
        city = Region.objects.filter(code=city_code, level=RegionLevel.CITY).first()
        if city is None:
            raise ValidationError({"city": [_("No city with code %(code)s.") % {"code": city_code}]})
        if not scope.allows(city, "read_reports"):
            raise PermissionDenied(_("The city is outside your province."))
        return ReportArea(city=city)
    city = city_of(scope)
    if city_code and (city is None or city_code != city.code):
        raise PermissionDenied(_("A city's regulators download only their own city's reports."))
    return ReportArea(city=city)


def home_page(scope: Scope) -> tuple[str, list]:
    """Where the account's pages start: the province's overview, the city's, the district's page, or, for a
    firm, its 待办 (the orders addressed to it, its requests in approval)."""
    if scope.kind is Kind.DISTRICT:
        return "dashboard:district", [scope.district.code]
    if scope.kind is Kind.PROVINCE:
        return "province", []
    if scope.kind is Kind.CITY or scope.is_operator:
        return "city", []
    if scope.kind is Kind.ENTERPRISE:
        return "dashboard:todo", []
    return "dashboard:projects", []


def province_cities(scope: Scope):
    """The cities a provincial account picks from (reports, overview): its province's."""
    from projects.models import Region

    if scope.kind is not Kind.PROVINCE:
        return Region.objects.none()
    return Region.objects.filter(parent_id=scope.region_id, level=RegionLevel.CITY).order_by("code")
