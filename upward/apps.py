from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpwardConfig(AppConfig):
    """上报: what the platform passes up to the provincial and national platforms (and other cities') over the
    national interface (建办市函〔2018〕603号 附件2; docs: ../shared/docs/national.md), through an outbox."""

    name = "upward"
    verbose_name = _("Upward data")

    def ready(self) -> None:
        from projects import signals
        from upward import services
        from wages import signals as wage_signals

        signals.project_registered.connect(services.on_project_registered, dispatch_uid="upward-project")
        signals.participant_joined.connect(services.on_participant_joined, dispatch_uid="upward-participant")
        signals.engagement_registered.connect(services.on_engagement_changed, dispatch_uid="upward-entry")
        signals.engagement_exited.connect(services.on_engagement_changed, dispatch_uid="upward-exit")
        wage_signals.contract_recorded.connect(services.on_contract_recorded, dispatch_uid="upward-contract")
        wage_signals.bank_results_recorded.connect(services.on_bank_results_recorded, dispatch_uid="upward-payroll")
