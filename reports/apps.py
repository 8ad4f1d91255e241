from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Workbooks (Annex 1, Annex 2, presence, circular) and the dashboard."""

    name = "reports"
    verbose_name = _("Reports")
