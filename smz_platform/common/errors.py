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
