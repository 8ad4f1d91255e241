"""A complaint's tracking code (查询码): what the complainant keeps to follow it. Twelve characters of an alphabet
without the ones misread on a phone (0/O, 1/I/L): 31^12, about 10^18, not guessed; printed in groups of four."""

from __future__ import annotations

import secrets

TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 12


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


def tracking_code_normalise(value: str) -> str:
    """What a person types (spaces, dashes, lower case) as the stored code."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[: TRACKING_LENGTH + 4]


def tracking_code_shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
