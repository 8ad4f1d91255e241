"""Checks of national identifiers: the resident ID number (GB 11643) and the credit code (GB 32100).

The check characters come from python-stdnum. The resident ID deliberately does *not* reject an
unknown region code: older workers' numbers carry codes assigned after they were born, and codes
change; an unknown code is a warning only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class IdNumber:
    """A valid resident ID number (公民身份号码) and what it says about its holder."""

    number: str
    birth_date: dt.date
    gender: str  # "male" | "female", from the parity of the 17th digit
    region_code: str
    warnings: tuple[str, ...] = field(default=())


class InvalidIdNumber(ValidationError):
    """A resident ID number that fails GB 11643; `code` names the reason."""


def normalise_id_number(raw: object) -> str:
    return str(raw).strip().upper() if raw is not None else ""


def parse_id_number(raw: object, *, today: dt.date | None = None) -> IdNumber:
    """Valid means: 18 characters, digits with a final digit or X, the right check character, and a
    real birth date (not in the future, not before 1900). Raises InvalidIdNumber with the reason."""
    number = normalise_id_number(raw)
    if len(number) != 18:
        raise InvalidIdNumber(_("must be 18 characters, not %(n)d") % {"n": len(number)}, code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(_("must be 17 digits followed by a digit or X"), code="format")
    if number[17] != ric.calc_check_digit(number):
        raise InvalidIdNumber(_("check character does not match"), code="checksum")
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError as exc:
        raise InvalidIdNumber(
            _("birth date %(date)s is not a real date") % {"date": number[6:14]}, code="birth"
        ) from exc
    today = today or dt.date.today()
    if birth_date > today or birth_date.year < OLDEST_BIRTH_YEAR:
        raise InvalidIdNumber(_("birth date %(date)s is impossible") % {"date": birth_date.isoformat()}, code="birth")
    warning = _region_warning(number[:6], birth_date.year)
    warnings = (warning,) if warning else ()
    gender = "male" if int(number[16]) % 2 else "female"
    return IdNumber(
        number=number, birth_date=birth_date, gender=gender, region_code=number[:6], warnings=tuple(warnings)
    )


@lru_cache(maxsize=65536)
def _region_warning(region_code: str, birth_year: int) -> str:
    """A warning when the GB/T 2260 table does not know the code, or knows it only from a later year.

    Cached: the region database lookup is the costliest part of the check, and codes repeat.
    """
    if not numdb.get("cn/loc").info(region_code)[-1][1]:
        return _("region code %(code)s is not in the GB/T 2260 table") % {"code": region_code}
    try:
        # stdnum judges the code against the birth year of a number; any number of that region and year will do.
        ric.get_birth_place(f"{region_code}{birth_year}01010010")
    except StdnumError:
        return _("region code %(code)s was assigned after the holder's birth year") % {"code": region_code}
    return ""


def validate_uscc(raw: object) -> str:
    """The 18-character unified social credit code with its GB 32100 check character."""
    code = str(raw or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("must be 18 characters, not %(n)d") % {"n": len(code)}, code="length")
    try:
        return uscc.validate(code)
    except StdnumError as exc:
        if isinstance(exc, uscc.InvalidChecksum):
            raise ValidationError(_("check character does not match"), code="checksum") from exc
        raise ValidationError(_("contains characters a credit code cannot hold"), code="format") from exc
