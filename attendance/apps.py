from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    """Punch intake, punch storage and daily presence."""

    name = "attendance"
    verbose_name = _("Attendance")
