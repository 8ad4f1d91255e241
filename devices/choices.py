from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    GATE = "gate", _("Gate")
    TERMINAL = "terminal", _("Face terminal")
    MOBILE = "mobile", _("Mobile tablet")


class Connection(models.TextChoices):
    """设备直连 (the device talks to us) or 平台对接 (through a vendor's platform, needs a permit: R02)."""

    DIRECT = "direct", _("Direct connection")
    PLATFORM = "platform", _("Via vendor platform")


class Location(models.TextChoices):
    ENTRANCE = "entrance", _("Site entrance")
    OFFICE = "office", _("Project office")
    OTHER = "other", _("Other")


class DeviceState(models.TextChoices):
    ACTIVE = "active", _("In service")
    DISABLED = "disabled", _("Disabled")
    RETIRED = "retired", _("Retired")
