from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class Method(models.TextChoices):
    FACE = "face", _("Face")
    FINGERPRINT = "fingerprint", _("Fingerprint")
    IRIS = "iris", _("Iris")
    ID_CARD = "id_card", _("ID card")
    MOBILE = "mobile", _("Mobile")
