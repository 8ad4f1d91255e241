from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetState(models.TextChoices):
    """A wage sheet is prepared by its employer, then confirmed by the general contractor (seed 004 §一(五))."""

    PREPARED = "prepared", _("prepared")
    CONFIRMED = "confirmed", _("confirmed")


class BankStatus(models.TextChoices):
    """What the bank's payment result says of a line (银行代发结果): "paid" is the bank's word, not the sheet's."""

    UNKNOWN = "", _("no bank result")
    PAID = "paid", _("paid by the bank")
    FAILED = "failed", _("refused by the bank")


class ContractPeriod(models.TextChoices):
    """劳动合同期限类型 (the national interface's WorkerContract)."""

    FIXED_TERM = "fixed_term", _("fixed term")
    TASK = "task", _("until a task is done")


class PayUnit(models.TextChoices):
    """计量单位 of the contract's pay."""

    DAY = "day", _("per day")
    MONTH = "month", _("per month")
    PIECE = "piece", _("per piece of work")
