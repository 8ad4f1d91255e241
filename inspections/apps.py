from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Rules, alerts, inspections, cases, measures and campaigns."""

    name = "inspections"
    verbose_name = _("Inspections")
