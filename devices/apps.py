from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    """Attendance devices, their credentials, heartbeats and online state."""

    name = "devices"
    verbose_name = _("Attendance devices")
