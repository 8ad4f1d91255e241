from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagesConfig(AppConfig):
    """Wages (工资): the wage special account, labour-cost deposits and the monthly wage sheets."""

    name = "wages"
    rule_package = "wages.rules"  # W1–W7, gathered into the one rule registry (inspections.rules)
    verbose_name = _("Wages")
