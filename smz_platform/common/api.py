"""API conventions shared by every app."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
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


class SchemaView(SpectacularAPIView):
    """/api/schema/: drf-spectacular's view, its answer generated and rendered once per process for each language
    and format, then served as kept. The schema changes only with a release, and it is open to anyone (it holds
    no data): generating and rendering it as YAML took ~0.4 s of CPU a request, which a client asking in a loop
    would have taken from every page of the platform. An address with a version or a format's parameters (JSON's
    indent), or a language the platform does not speak, is rendered afresh and not kept: what is kept stays bounded.
    Authentication and permissions run first (DRF's initial()), as for any view."""

    _kept: ClassVar[dict[tuple[str, str], tuple[bytes, dict[str, str]]]] = {}

    def _key(self, request: Request) -> tuple[str, str] | None:
        language = request.GET.get("lang") or translation.get_language()
        media_type = getattr(request, "accepted_media_type", None)
        renderer = getattr(request, "accepted_renderer", None)
        if (
            "version" in request.GET
            or language not in dict(settings.LANGUAGES)
            or renderer is None
            or media_type != renderer.media_type
        ):
            return None
        return language, media_type

    @extend_schema(**SCHEMA_KWARGS)  # documented as drf-spectacular documents its own view
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        key = self._key(request)
        kept = self._kept.get(key) if key else None
        if kept is not None:
            return HttpResponse(kept[0], headers=kept[1])
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code == 200 and (key := self._key(request)):
            response.render()
            headers = {name: response[name] for name in ("Content-Type", "Content-Disposition") if name in response}
            self._kept[key] = (response.content, headers)
        return response
