"""API conventions shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a database that cannot be reached is a 503 with Retry-After, never a 500.

    Views run their writes in transactions, so nothing was half-stored when this answers.
    """
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, DatabaseError):
        response = Response(
            {"code": "unavailable", "message": "The platform cannot store or read data now; retry later."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "30"},
        )
    return response
