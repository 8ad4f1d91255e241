"""Regions, enterprises and projects: registration with every check a regulator expects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import signals
from projects.choices import CodeTable, EnterpriseKind, ParticipantRole, ProjectStatus, RegionLevel
from projects.identity import validate_uscc
from projects.models import Enterprise, Project, ProjectParticipant, ReferenceCode, Region, User
from projects.scope import scope_of
from smz_platform.common.errors import Conflict


def region_create(*, user: User, code: str, name: str, parent: Region | None) -> Region:
    """A province (no parent, a code ending in 0000), a city (no parent, or under a province), a
    district of a city, or a town of a district: each level registers only below its own (a region
    without a parent: the platform's operator)."""
    scope = scope_of(user)
    if parent is None:
        if not scope.governs_platform:
            raise PermissionDenied(_("Only the platform's operator registers a province or a city of its own."))
    else:
        scope.authorize(parent, "add")
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValidationError({"code": [_("A region code is 6 digits (GB/T 2260), or 9 or 12 for a town.")]})
    if parent is None:
        level = RegionLevel.PROVINCE if code.endswith("0000") and len(code) == 6 else RegionLevel.CITY
    elif parent.level == RegionLevel.PROVINCE:
        level = RegionLevel.CITY
    elif parent.level == RegionLevel.CITY:
        level = RegionLevel.DISTRICT
    elif parent.level == RegionLevel.DISTRICT:
        level = RegionLevel.TOWN
    else:
        raise ValidationError({"parent": [_("A town cannot have regions below it.")]})
    if Region.objects.filter(code=code).exists():
        raise Conflict("code", _("Region %(code)s is already registered.") % {"code": code})
    try:
        with transaction.atomic():
            return Region.objects.create(code=code, name=name, level=level, parent=parent)
    except IntegrityError as exc:
        raise Conflict("code", _("Region %(code)s is already registered.") % {"code": code}) from exc


def enterprise_create(*, user: User, uscc: str, name: str, kinds: list[str]) -> Enterprise:
    scope_of(user).require("register_enterprise")
    try:
        uscc = validate_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from exc
    if not kinds:
        raise ValidationError({"kinds": [_("Name at least one kind.")]})
    if Enterprise.objects.filter(uscc=uscc).exists():
        raise Conflict("uscc", _("Enterprise %(uscc)s is already registered.") % {"uscc": uscc})
    flags = {f"is_{kind}": kind in kinds for kind in EnterpriseKind.values}
    try:
        with transaction.atomic():
            return Enterprise.objects.create(uscc=uscc, name=name, created_by=user, **flags)
    except IntegrityError as exc:
        raise Conflict("uscc", _("Enterprise %(uscc)s is already registered.") % {"uscc": uscc}) from exc


@dataclass(frozen=True)
class Participation:
    enterprise: Enterprise
    role: str


def _check_positions(positions: list[str]) -> None:
    known = set(
        ReferenceCode.objects.filter(table=CodeTable.POSITION, active=True, code__in=positions).values_list(
            "code", flat=True
        )
    )
    unknown = [p for p in positions if p not in known]
    if unknown:
        raise ValidationError(
            {"required_positions": [_("Unknown position: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )


def _check_registrant(user: User, district: Region, participants: list[Participation], status: str | None) -> None:
    """Who may register the project: a city in its districts, district staff in their district, an
    enterprise as its general contractor; only a city sets a status (migrating existing projects).
    Asked before anything else about the project is checked (a district of another city is refused
    whatever the body says)."""
    scope = scope_of(user)
    scope.authorize(district, "register_project")
    if district.level != RegionLevel.DISTRICT:
        raise ValidationError({"district": [_("%(name)s is not a district.") % {"name": district.name}]})
    contractors = [p.enterprise for p in participants if p.role == ParticipantRole.CONTRACTOR]
    if not scope.registers_as_contractor(contractors):
        raise PermissionDenied(_("An enterprise registers only projects it takes part in as the general contractor."))
    if status is not None and not scope.can("set_project_status"):
        raise ValidationError(
            {"status": [_("Only a city-level user may set the status; it changes through status requests.")]}
        )


# A filing (施工报建) further back than this is an existing project's migration, which only a city records: the
# filing date decides who is judged (中山 2019 上线通知 四(二)–(三), inspections.cohorts), and a contractor
# registering a new project must not place it in an older cohort than its own.
FILING_BACKDATE = dt.timedelta(days=365)


def _check_filing(user: User, filed_on: dt.date | None, permitted_on: dt.date | None) -> None:
    if filed_on is None:
        return
    today = timezone.localdate()
    if filed_on > today:
        raise ValidationError({"filed_on": [_("The filing date is in the future.")]})
    if permitted_on is not None and filed_on > permitted_on:
        raise ValidationError({"filed_on": [_("The filing (施工报建) comes before the construction permit.")]})
    if filed_on < today - FILING_BACKDATE and not scope_of(user).can("set_project_status"):
        raise ValidationError(
            {
                "filed_on": [
                    _(
                        "A filing more than a year old belongs to an existing project: "
                        "only a city-level user records it."
                    )
                ]
            }
        )


def _check_dates_and_sizes(*, status: str, actual_start, completed_on, building_area_m2, contract_cost_yuan) -> None:
    if status != ProjectStatus.NOT_STARTED and actual_start is None:
        raise ValidationError({"actual_start": [_("A project that has started needs its actual start date.")]})
    if status == ProjectStatus.COMPLETED and completed_on is None:
        raise ValidationError({"completed_on": [_("A completed project needs its completion date.")]})
    if completed_on and actual_start and completed_on < actual_start:
        raise ValidationError({"completed_on": [_("The completion date is before the actual start.")]})
    if building_area_m2 < 0 or contract_cost_yuan < 0:
        raise ValidationError({"building_area_m2": [_("Area and cost cannot be negative.")]})


def _check_participants(participants: list[Participation]) -> None:
    """Each participant registered for its role, and the general contractor among them."""
    errors = [
        _("%(name)s is not registered as %(role)s.")
        % {"name": p.enterprise.name, "role": ParticipantRole(p.role).label}
        for p in participants
        if not p.enterprise.has_kind(p.role)
    ]
    if errors:
        raise ValidationError({"participants": errors})
    if not any(p.role == ParticipantRole.CONTRACTOR for p in participants):
        raise ValidationError({"participants": [_("A project needs its general contractor among the participants.")]})


def project_create(
    *,
    user: User,
    permit_no: str,
    name: str,
    district: Region,
    kind: str,
    building_area_m2: Decimal,
    contract_cost_yuan: Decimal,
    planned_start: dt.date,
    permitted_on: dt.date | None = None,
    filed_on: dt.date | None = None,
    actual_start: dt.date | None = None,
    completed_on: dt.date | None = None,
    status: str | None = None,
    participants: list[Participation],
    required_positions: list[str],
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Project:
    """Register a project (施工许可). Only a city user may set a status (migrating existing projects);
    otherwise it starts as not started and changes only through approved status requests."""
    _check_registrant(user, district, participants, status)
    _check_filing(user, filed_on, permitted_on)
    status = status or ProjectStatus.NOT_STARTED
    _check_dates_and_sizes(
        status=status,
        actual_start=actual_start,
        completed_on=completed_on,
        building_area_m2=building_area_m2,
        contract_cost_yuan=contract_cost_yuan,
    )
    _check_participants(participants)
    _check_positions(required_positions)
    if Project.objects.filter(permit_no=permit_no).exists():
        raise Conflict("permit_no", _("Project %(permit)s is already registered.") % {"permit": permit_no})
    try:
        with transaction.atomic():
            project = Project.objects.create(
                permit_no=permit_no,
                name=name,
                district=district,
                kind=kind,
                building_area_m2=building_area_m2,
                contract_cost_yuan=contract_cost_yuan,
                planned_start=planned_start,
                permitted_on=permitted_on,
                filed_on=filed_on,
                actual_start=actual_start,
                completed_on=completed_on,
                status=status,
                required_positions=list(dict.fromkeys(required_positions)),
                address=address,
                lat=lat,
                lon=lon,
                created_by=user,
            )
            ProjectParticipant.objects.bulk_create(
                [ProjectParticipant(project=project, enterprise=p.enterprise, role=p.role) for p in participants],
                ignore_conflicts=True,
            )
            signals.project_registered.send(sender=Project, project=project)
    except IntegrityError as exc:
        raise Conflict("permit_no", _("Project %(permit)s is already registered.") % {"permit": permit_no}) from exc
    return project


def participant_add(*, project: Project, enterprise: Enterprise, role: str) -> ProjectParticipant:
    """Add an enterprise in a role, idempotently (a vendor joins when its first device is registered)."""
    if not enterprise.has_kind(role):
        raise ValidationError(
            {"enterprise": [_("%(name)s is not registered as %(role)s.") % {"name": enterprise.name, "role": role}]}
        )
    with transaction.atomic():
        participant, created = ProjectParticipant.objects.get_or_create(
            project=project, enterprise=enterprise, role=role
        )
        if created:
            signals.participant_joined.send(sender=ProjectParticipant, participant=participant)
    return participant
