from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    """The worker's side and the public's (维权): the site's rights board (维权告示牌)."""

    name = "rights"
    verbose_name = _("Workers' rights")
