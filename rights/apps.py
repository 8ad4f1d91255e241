from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    """The worker's side and the public's (维权): the site's rights board (维权告示牌), a worker's
    own records, complaints (举报投诉)."""

    name = "rights"
    rule_package = "rights.rules"  # C1, gathered into the one rule registry (inspections.rules)
    verbose_name = _("Workers' rights")

    def ready(self) -> None:
        from rights import receivers

        receivers.connect()  # a board's kept page forgotten when what it shows changes
