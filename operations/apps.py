from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """运维: the operator's tools above the apps (health, metrics, backup and restore, key rotation).

    It may import every app; no app imports it (.importlinter). Its models (scheduled runs, operational
    alerts, key-rotation progress) live in smz_platform.common, which the apps' tasks write to."""

    name = "operations"
    verbose_name = _("Operations")
