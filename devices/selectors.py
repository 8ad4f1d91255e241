"""Reads of devices, cut to the user's jurisdiction."""

from __future__ import annotations

from django.db.models import QuerySet

from devices.models import Device
from projects import jurisdiction
from projects.choices import Role
from projects.models import User


def devices_for(user: User) -> QuerySet[Device]:
    """City: all; district: its projects'; enterprise: its projects'; vendor: the devices it operates."""
    qs = Device.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in jurisdiction.ABOVE_DISTRICT:
        return qs.filter(jurisdiction.region_q(user, "project__"))
    if user.role == Role.VENDOR:
        return qs.filter(vendor_id=user.enterprise_id)
    return qs.filter(project__in=jurisdiction.projects_for(user))


def device_list(*, user: User) -> QuerySet[Device]:
    return devices_for(user).select_related("project", "vendor")
