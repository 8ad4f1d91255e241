"""The wage records of a project (工资, seed 004 §一(三)、(五); seed 001 §三(三); seed 003 §三(五)).

Bank account and card numbers are personal data like ID numbers: the column holds a token under the
`bank-account` subkey (key rotation and the backup's proof find it by its type), the row keeps a masked
copy for every screen, and the clear number is read only by `reveal_…`, which the services audit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.scope.queryset import ScopedModel
from smz_platform.common import pii
from smz_platform.common.fields import EncryptedTextField
from wages.choices import BankStatus, ContractPeriod, PayUnit, SheetState


class WageAccount(ScopedModel):
    """工资专用账户: the project's wage special account, opened by the general contractor."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="wage_account"
    )
    bank = models.CharField(_("bank"), max_length=64)
    account_name = models.CharField(_("account name"), max_length=100)
    number_encrypted = EncryptedTextField(_("account number (encrypted)"), purpose=pii.BANK_ACCOUNT, editable=False)
    number_masked = models.CharField(_("account number"), max_length=32, editable=False)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wage special account")
        verbose_name_plural = _("wage special accounts")

    def __str__(self) -> str:
        return f"{self.bank} {self.number_masked}"

    def reveal_number(self) -> str:
        return pii.decrypt_as(self.number_encrypted, pii.BANK_ACCOUNT)


class LabourCostDeposit(ScopedModel):
    """人工费用拨付: the owner's payment of labour cost into the special account, for one or more months."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="labour_deposits"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    first_month = models.DateField(_("covers from (month)"))
    last_month = models.DateField(_("covers to (month)"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("labour-cost deposit")
        verbose_name_plural = _("labour-cost deposits")
        ordering = ["project", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="deposit_amount_positive"),
            models.CheckConstraint(condition=Q(first_month__day=1, last_month__day=1), name="deposit_whole_months"),
            models.CheckConstraint(condition=Q(last_month__gte=models.F("first_month")), name="deposit_months_order"),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} ¥{self.amount}"


class WageSheet(ScopedModel):
    """工资支付表: one employer's (and team's) wages on one project for one month."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="wage_sheets"
    )
    employer = models.ForeignKey(
        "projects.Enterprise", verbose_name=_("employer"), on_delete=models.PROTECT, related_name="wage_sheets"
    )
    team = models.CharField(_("team"), max_length=64, blank=True)
    month = models.DateField(_("month"), help_text=_("The first day of the month the wages are for."))
    state = models.CharField(_("state"), max_length=16, choices=SheetState.choices, default=SheetState.PREPARED)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wage sheet")
        verbose_name_plural = _("wage sheets")
        ordering = ["project", "month", "employer", "team"]
        constraints = [
            models.UniqueConstraint(fields=["project", "employer", "team", "month"], name="wagesheet_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="wagesheet_whole_month"),
            models.CheckConstraint(
                condition=Q(state=SheetState.PREPARED, confirmed_at__isnull=True)
                | Q(state=SheetState.CONFIRMED, confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="wagesheet_confirmed_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.team}".strip()


class WageLine(ScopedModel):
    """One worker's line of a wage sheet: the month's valid attended days (from presence, never typed in),
    what was due and paid, when, to which card, and whether through the special account."""

    sheet = models.ForeignKey(WageSheet, verbose_name=_("wage sheet"), on_delete=models.CASCADE, related_name="lines")
    engagement = models.ForeignKey(
        "projects.Engagement", verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="wage_lines"
    )
    person = models.ForeignKey(
        "projects.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="wage_lines"
    )
    attended_days = models.PositiveSmallIntegerField(_("valid attended days"))
    due = models.DecimalField(_("due (yuan)"), max_digits=12, decimal_places=2)
    paid = models.DecimalField(_("paid (yuan)"), max_digits=12, decimal_places=2, default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    card_encrypted = EncryptedTextField(_("bank card (encrypted)"), purpose=pii.BANK_ACCOUNT, editable=False)
    card_masked = models.CharField(_("bank card"), max_length=32, editable=False)
    through_special_account = models.BooleanField(_("paid through the special account"), default=True)
    # The bank's payment result (an import of its file, wage_bank_results_record).
    bank_status = models.CharField(
        _("bank result"), max_length=8, choices=BankStatus.choices, default=BankStatus.UNKNOWN, blank=True
    )
    bank_amount = models.DecimalField(
        _("paid by the bank (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    bank_paid_on = models.DateField(_("bank's pay date"), null=True, blank=True)
    bank_result_at = models.DateTimeField(_("bank result recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wage line")
        verbose_name_plural = _("wage lines")
        ordering = ["sheet", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "person"], name="wageline_one_per_worker"),
            models.CheckConstraint(condition=Q(due__gte=0, paid__gte=0), name="wageline_amounts_not_negative"),
            models.CheckConstraint(condition=Q(paid=0) | Q(paid_on__isnull=False), name="wageline_paid_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ¥{self.paid}/{self.due}"

    def reveal_card(self) -> str:
        return pii.decrypt_as(self.card_encrypted, pii.BANK_ACCOUNT)


class SignedScan(ScopedModel):
    """A signed paper's scan, stored encrypted by smz_platform.common.files.file_store like every upload; the
    concrete model declares `file` with its own folder."""

    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        abstract = True


class LabourContract(SignedScan):
    """劳动合同 of an engagement (seed 004 §二(三)): its code, period, pay, and the signed scan (stored
    encrypted, as every upload)."""

    engagement = models.ForeignKey(
        "projects.Engagement", verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="labour_contracts"
    )
    code = models.CharField(_("contract number"), max_length=64)
    signed_on = models.DateField(_("signed on"))
    period = models.CharField(_("period type"), max_length=16, choices=ContractPeriod.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    pay_unit = models.CharField(_("pay unit"), max_length=8, choices=PayUnit.choices)
    unit_price = models.DecimalField(_("unit price (yuan)"), max_digits=12, decimal_places=2)
    file = models.FileField(_("signed scan"), upload_to="labour-contracts/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("labour contract")
        verbose_name_plural = _("labour contracts")
        ordering = ["engagement", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "code"], name="labourcontract_code_per_engagement"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="labourcontract_price_positive"),
            models.CheckConstraint(
                condition=Q(period=ContractPeriod.TASK, ends_on__isnull=True)
                | Q(period=ContractPeriod.FIXED_TERM, ends_on__gte=models.F("starts_on")),
                name="labourcontract_period_has_its_end",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ExitSettlement(SignedScan):
    """退场结算 (seed 003 §三(五)): at a worker's exit, the workload and wages confirmed and settled, and the exit
    confirmation (退场确认书) signed by the worker himself. Recorded once per engagement, before or after the
    exit; W6 finds an exit without it, or without the worker's confirmation."""

    engagement = models.OneToOneField(
        "projects.Engagement", verbose_name=_("engagement"), on_delete=models.PROTECT, related_name="exit_settlement"
    )
    workload = models.CharField(_("workload"), max_length=200)
    amount = models.DecimalField(_("wages settled (yuan)"), max_digits=12, decimal_places=2)
    settled_on = models.DateField(_("settled on"))
    worker_confirmed = models.BooleanField(_("the worker confirmed"), default=False)
    # The worker's own answer on his records page (rights/): confirmed, or disputed (the dispute is a complaint).
    worker_answer = models.CharField(
        _("the worker's own answer"),
        max_length=10,
        choices=[("confirmed", _("confirmed")), ("disputed", _("disputed"))],
        blank=True,
        default="",
        db_default="",
    )
    worker_answered_at = models.DateTimeField(_("answered by the worker at"), null=True, blank=True)
    file = models.FileField(_("signed confirmation"), upload_to="exit-confirmations/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exit settlement")
        verbose_name_plural = _("exit settlements")
        ordering = ["engagement"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="exitsettlement_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.engagement} ¥{self.amount}"
