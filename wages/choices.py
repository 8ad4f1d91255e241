from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetState(models.TextChoices):
    """A wage sheet is prepared by its employer, then confirmed by the general contractor (seed 004 §一(五))."""

    PREPARED = "prepared", _("prepared")
    CONFIRMED = "confirmed", _("confirmed")
