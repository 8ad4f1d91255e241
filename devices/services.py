"""Writes of devices: registration (the secret is shown once)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.choices import DeviceKind
from devices.models import Device, DeviceFlip, FlipField, VendorPlatform
from projects.choices import ParticipantRole, ProjectStatus
from projects.models import Enterprise, Project, User
from projects.scope import scope_of
from projects.services.registry import participant_add
from smz_platform.common import pii
from smz_platform.common.errors import Conflict


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    secret: str


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
    """Bind a device to a project and issue its signing secret (docs/device-api.md), returned this once."""
    if not vendor.is_vendor:
        raise ValidationError({"vendor": [_("%(name)s is not a device vendor.") % {"name": vendor.name}]})
    if vendor.blacklisted_on is not None:
        # 甬建函〔2023〕82号 五(三): a blacklisted vendor supplies no new devices.
        raise ValidationError(
            {
                "vendor": [
                    _("%(name)s is on the vendor blacklist since %(day)s; its devices cannot be registered.")
                    % {"name": vendor.name, "day": vendor.blacklisted_on.isoformat()}
                ]
            }
        )
    if not scope_of(user).may_register_device(project, vendor):
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
                secret_encrypted=pii.secret_encrypt(secret),
                registered_by=user,
            )
            participant_add(project=project, enterprise=vendor, role=ParticipantRole.VENDOR)
    except IntegrityError as exc:
        raise Conflict(
            "serial", _("A device with serial number %(serial)s is already registered.") % {"serial": serial}
        ) from exc
    return RegisteredDevice(device=device, secret=secret)


@dataclass(frozen=True)
class RegisteredPlatform:
    platform: VendorPlatform
    secret: str  # shown this once


def vendor_platform_register(*, user: User, vendor: Enterprise) -> RegisteredPlatform:
    """平台对接: a vendor's platform gets its key and signing secret (returned this once) to push the punches of
    its devices registered for platform connection (docs/device-api.md, "Platform push")."""
    if not scope_of(user).may_admin(VendorPlatform, "add"):
        raise PermissionDenied(_("The city registers vendors' platforms."))
    if not vendor.is_vendor:
        raise ValidationError({"vendor": [_("%(name)s is not a device vendor.") % {"name": vendor.name}]})
    if vendor.blacklisted_on is not None:
        raise ValidationError(
            {"vendor": [_("%(name)s is on the vendor blacklist; it connects nothing new.") % {"name": vendor.name}]}
        )
    secret = secrets.token_urlsafe(32)
    platform = VendorPlatform.objects.create(
        vendor=vendor, key=f"VP-{secrets.token_hex(8)}", secret_encrypted=pii.secret_encrypt(secret), registered_by=user
    )
    return RegisteredPlatform(platform=platform, secret=secret)


def _offline_deadline(at):
    return at + timezone.timedelta(minutes=settings.SMZ_DEVICE_OFFLINE_AFTER_MINUTES)


def device_contact_record(
    *,
    device_id: int,
    at,
    heartbeat: bool = False,
    liveness_enabled: bool | None = None,
    firmware: str | None = None,
    last_punch_at=None,
    clock_skew: int | None = None,
) -> None:
    """A contact (heartbeat or punches): online, a fresh deadline, and a flip for each change.

    The device row is read under a lock and then written, inside the caller's transaction, so that
    concurrent contacts of one device queue up (and every writer of a device locks it first). The
    intake keeps contact times to within 30 s, so this runs about twice a minute per busy device.
    """
    was_online, old_liveness, last_contact = (
        Device.objects.select_for_update()
        .filter(pk=device_id)
        .values_list("online", "liveness_enabled", "last_contact_at")
        .get()
    )
    fields = {"online": True, "last_contact_at": at, "offline_after": _offline_deadline(at)}
    if heartbeat:
        fields.update(last_heartbeat_at=at, liveness_enabled=liveness_enabled)
    if firmware is not None:
        fields["firmware"] = firmware
    if clock_skew is not None:
        fields["clock_skew_s"] = clock_skew
    if last_punch_at is not None:
        fields["last_punch_at"] = Case(
            When(Q(last_punch_at__isnull=True) | Q(last_punch_at__lt=last_punch_at), then=Value(last_punch_at)),
            default=F("last_punch_at"),
        )
    Device.objects.filter(pk=device_id).update(**fields)
    flips = []
    if was_online and last_contact is not None and at - last_contact > _offline_deadline(last_contact) - last_contact:
        # Silent past the offline limit and the sweep did not see it (its beat or worker was down): the
        # contact itself records the silence, so that the history (rule R03) never depends on the sweep.
        flips.append(
            DeviceFlip(device_id=device_id, at=last_contact, field=FlipField.ONLINE, value=False, detected_at=at)
        )
        was_online = False
    if not was_online:
        flips.append(DeviceFlip(device_id=device_id, at=at, field=FlipField.ONLINE, value=True, detected_at=at))
    if heartbeat and liveness_enabled != old_liveness:
        flips.append(
            DeviceFlip(device_id=device_id, at=at, field=FlipField.LIVENESS, value=liveness_enabled, detected_at=at)
        )
    if flips:
        DeviceFlip.objects.bulk_create(flips)


def device_heartbeat_record(
    *, device_id: int, liveness_enabled: bool, firmware: str | None, at, clock_skew: int | None = None
) -> None:
    """A heartbeat: the device is online and reports its liveness setting (rule R06) and firmware."""
    with transaction.atomic():
        device_contact_record(
            device_id=device_id,
            at=at,
            heartbeat=True,
            liveness_enabled=liveness_enabled,
            firmware=firmware,
            clock_skew=clock_skew,
        )


def devices_sweep_offline(*, now) -> int:
    """Mark offline every online device past its deadline; return how many this call flipped.

    The conditional update (online and the same deadline) lets two sweepers run at once: exactly one
    of them flips each device and records the flip, dated at the device's last contact.
    """
    overdue = Device.objects.filter(online=True, offline_after__lt=now).values_list(
        "pk", "offline_after", "last_contact_at"
    )
    flipped = 0
    for pk, deadline, last_contact in overdue:
        with transaction.atomic():
            updated = Device.objects.filter(pk=pk, online=True, offline_after=deadline).update(online=False)
            if updated != 1:
                continue  # another sweeper, or a fresh contact, got there first
            DeviceFlip.objects.create(
                device_id=pk, at=last_contact or deadline, field=FlipField.ONLINE, value=False, detected_at=now
            )
            flipped += 1
    return flipped
