"""Domain errors that services raise and the API turns into 4xx answers."""

from __future__ import annotations


class Conflict(Exception):
    """The request clashes with what exists (a duplicate, a state that moved on): HTTP 409.

    `field` names what clashes so that the answer has DRF's field-error shape.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TooManyRequests(Exception):
    """Asked too often (a one-time code, a complaint): HTTP 429, with when to try again in the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
