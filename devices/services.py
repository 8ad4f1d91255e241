"""Writes of devices: registration (the secret is shown once)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from devices.choices import DeviceKind
from devices.models import Device
from projects.choices import ParticipantRole, ProjectStatus, Role
from projects.jurisdiction import can_manage_project
from projects.models import Enterprise, Project, User
from projects.services.registry import participant_add
from smz_platform.common import pii
from smz_platform.common.errors import Conflict


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    secret: str


def _may_register(user: User, project: Project, vendor: Enterprise) -> bool:
    if can_manage_project(user, project):
        return True
    # A vendor registers the devices it operates on a project it serves.
    return (
        user.role == Role.VENDOR
        and user.enterprise_id == vendor.pk
        and project.participants.filter(enterprise=vendor, role=ParticipantRole.VENDOR).exists()
    )


def device_register(
    *,
    user: User,
    project: Project,
    serial: str,
    vendor: Enterprise,
    model: str,
    kind: str,
    connection: str,
    location: str,
    lat: float | None = None,
    lon: float | None = None,
    fence_m: int | None = None,
) -> RegisteredDevice:
    """Bind a device to a project and issue its signing secret (api.md §1), returned this once."""
    if not vendor.is_vendor:
        raise ValidationError({"vendor": [_("%(name)s is not a device vendor.") % {"name": vendor.name}]})
    if not _may_register(user, project, vendor):
        raise PermissionDenied(_("Only the project's general contractor or the device's vendor registers devices."))
    if project.status == ProjectStatus.COMPLETED:
        raise ValidationError({"project": [_("The project is completed.")]})
    if (lat is None) != (lon is None):
        raise ValidationError({"lat": [_("Give both latitude and longitude, or neither.")]})
    if kind == DeviceKind.MOBILE and (lat is None or fence_m is None):
        # A mobile punch is judged against this fence (rule R10).
        raise ValidationError({"fence_m": [_("A mobile device needs its site coordinates and fence radius.")]})
    if Device.objects.filter(serial=serial).exists():
        raise Conflict(
            "serial", _("A device with serial number %(serial)s is already registered.") % {"serial": serial}
        )
    secret = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            device = Device.objects.create(
                serial=serial,
                vendor=vendor,
                model=model,
                kind=kind,
                connection=connection,
                project=project,
                location=location,
                lat=lat,
                lon=lon,
                fence_m=fence_m,
                secret_encrypted=pii.encrypt(secret),
                registered_by=user,
            )
            participant_add(project=project, enterprise=vendor, role=ParticipantRole.VENDOR)
    except IntegrityError as exc:
        raise Conflict(
            "serial", _("A device with serial number %(serial)s is already registered.") % {"serial": serial}
        ) from exc
    return RegisteredDevice(device=device, secret=secret)
