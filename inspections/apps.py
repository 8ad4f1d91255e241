from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Rules, alerts, inspections, cases, measures and campaigns."""

    name = "inspections"
    verbose_name = _("Inspections")

    def rule_registry(self):
        """The rules' specs, in order (inspections.rules.registry), asked of the app by the choices."""
        from inspections.rules import registry

        return registry()
