"""What the platform accepts as a phone number (an account's contact, a rights board's, a district's
complaint line): digits, with -, + or brackets if need be (0574-87654321, +86 138 0000 0000, 12345)."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

PHONE = re.compile(r"^[0-9+()\- ]{5,32}$")
PHONE_MESSAGE = _("Give a phone number of digits (with -, + or brackets if need be).")
phone_validator = RegexValidator(PHONE, PHONE_MESSAGE)
