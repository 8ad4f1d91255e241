"""Reads of devices, cut to the user's jurisdiction by the one scope (projects.scope)."""

from __future__ import annotations

from django.db.models import QuerySet

from devices.models import Device
from projects.models import User


def device_list(*, user: User) -> QuerySet[Device]:
    return Device.objects.restrict(user, "view").select_related("project", "vendor")
