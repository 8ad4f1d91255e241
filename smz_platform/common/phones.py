"""What the platform accepts as a phone number (an account's contact, a rights board's, a district's
complaint line): digits, with -, + or brackets if need be (0574-87654321, +86 138 0000 0000, 12345)."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

PHONE = re.compile(r"^[0-9+()\- ]{5,32}$")
PHONE_MESSAGE = _("Give a phone number of digits (with -, + or brackets if need be).")
phone_validator = RegexValidator(PHONE, PHONE_MESSAGE)

# A mainland mobile number (a one-time code goes only to one): 11 digits from 1, an optional +86 before.
MOBILE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
MOBILE_MESSAGE = _("Give a mobile number of 11 digits (13812345678).")


def mobile_normalise(value: str) -> str | None:
    """The 11 digits of a mainland mobile number written with spaces, dashes or +86; None if it is not one."""
    found = MOBILE.match(re.sub(r"[\s\-]", "", value or ""))
    return found.group(1) if found else None
