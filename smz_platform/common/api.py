"""API conventions shared by every app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from smz_platform.common.errors import Conflict


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, extended so that no domain error becomes a 500.

    - Django's ValidationError raised by a service: 400 with DRF's field-error object.
    - Conflict (a duplicate, a state that moved on): 409 in the same shape.
    - A database that cannot be reached: 503 with Retry-After. Writes run in transactions, so
      nothing was half-stored when this answers.
    """
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    if isinstance(exc, Conflict):
        return Response({exc.field: [exc.message]}, status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, OperationalError | InterfaceError):
        response = Response(
            {"code": "unavailable", "message": "The platform cannot store or read data now; retry later."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "30"},
        )
    return response


def parse_month(raw: str | None, *, field: str = "month") -> dt.date:
    """A month parameter (YYYY-MM; default the running month), neither future nor before 2000."""
    today = timezone.localdate()
    if not raw:
        return today.replace(day=1)
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        raise ValidationError({field: [_("Give the month as YYYY-MM, e.g. 2026-10.")]}) from None
    if month > today.replace(day=1):
        raise ValidationError({field: [_("The month %(month)s has not begun.") % {"month": raw}]})
    if month.year < 2000:
        raise ValidationError({field: [_("The month %(month)s is too early.") % {"month": raw}]})
    return month


def raw_field(request, name: str, max_length: int = 64) -> str:
    """A field of the body as sent, before validation (to ask who may act on the row it names before
    what is wrong with the rest): "" when the body is not an object or the field is not text."""
    data = request.data
    value = data.get(name, "") if isinstance(data, dict) else ""
    return value[:max_length] if isinstance(value, str) else ""
