"""The device API (docs/device-api.md, 设备直连): signed requests from site devices.

`DEVICE_ROUTES` is its one route table: the URL configuration and the fast lane both read it.
`device_endpoint` does what every device endpoint shares: the body limit, the signature gateway, JSON
decoding, and the contract's refusals as `{"code", "message"}`. A database that cannot be reached
answers 503 `unavailable` with Retry-After, and since each endpoint writes in one transaction, nothing
was half-stored. The bodies are validated against the contract's schemas (attendance.contract), which
the OpenAPI document shows as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

import fastjsonschema
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from attendance.contract import HEARTBEAT, MAX_BATCH, PUNCH_BATCH, as_openapi
from attendance.metrics import intake_count
from attendance.photos import PhotoStorageUnavailable
from attendance.services import punch_batch_ingest
from attendance.storage import device_identity
from devices.choices import Connection, DeviceState
from devices.gateway import (
    DeviceRefusal,
    DeviceRequest,
    PlatformRequest,
    authenticate,
    authenticate_platform,
    check_body_size,
    check_headers,
    check_source,
)
from devices.models import Device
from devices.services import device_heartbeat_record

logger = logging.getLogger("smz.devices")

ERROR = inline_serializer("DeviceError", {"code": serializers.CharField(), "message": serializers.CharField()})
SIGNED_HEADERS = [
    OpenApiParameter("X-Device-SN", str, OpenApiParameter.HEADER, required=True, description="serial number"),
    OpenApiParameter("X-Timestamp", str, OpenApiParameter.HEADER, required=True, description="Unix seconds"),
    OpenApiParameter("X-Nonce", str, OpenApiParameter.HEADER, required=True, description="16–64 [A-Za-z0-9_-]"),
    OpenApiParameter(
        "X-Signature",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="hex HMAC-SHA256(secret, METHOD\\npath\\ntimestamp\\nnonce\\nsha256(body))",
    ),
]
REFUSALS = {
    400: OpenApiResponse(ERROR, description="malformed body"),
    401: OpenApiResponse(
        ERROR,
        description="missing_credentials, unknown_device, stale_timestamp, bad_signature, replayed_nonce",
    ),
    403: OpenApiResponse(ERROR, description="device_disabled"),
    413: OpenApiResponse(ERROR, description="payload_too_large"),
    429: OpenApiResponse(ERROR, description="rate_limited (Retry-After)"),
    503: OpenApiResponse(ERROR, description="unavailable (Retry-After); nothing was stored"),
}


def refusal(
    status: int, code: str, message: str, retry_after: int | None = None, extra: dict | None = None
) -> JsonResponse:
    response = JsonResponse({"code": code, "message": message, **(extra or {})}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class BadBody(Exception):
    pass


def _device_signed(request: HttpRequest, body: bytes) -> DeviceRequest:
    return authenticate(request, body, find_device=device_identity)


def device_endpoint(
    handle: Callable[[Any, object], JsonResponse],
    bad_body_code: str,
    *,
    signed_by: Callable[[HttpRequest, bytes], Any] = _device_signed,
    headers: Callable[[HttpRequest], object] = check_headers,
):
    """Wrap a handler of (signed request, decoded JSON) into a view with the contract's refusals; `signed_by`
    checks the signature (a device's, or a vendor platform's), `headers` its headers before the body is read."""

    def view(request: HttpRequest) -> JsonResponse:
        if request.method != "POST":
            return refusal(405, "method_not_allowed", "Use POST.")
        try:
            # Before a byte of the body is read or a query is made: the source's rate, the size, the headers.
            check_source(request)
            check_body_size(request)
            headers(request)
            try:
                body = request.body
            except RequestDataTooBig:
                raise DeviceRefusal(413, "payload_too_large", "The body is over 10 MiB.") from None
            signed = signed_by(request, body)
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise BadBody("The body is not UTF-8 JSON.") from None
            return handle(signed, data)
        except DeviceRefusal as exc:
            return refusal(exc.status, exc.code, exc.message, exc.retry_after, exc.extra)
        except BadBody as exc:
            return refusal(400, bad_body_code, str(exc))
        except (OperationalError, InterfaceError):
            logger.exception("device request could not reach the database")
            return refusal(503, "unavailable", "The platform cannot store now; nothing was stored.", retry_after=30)
        except PhotoStorageUnavailable:
            # Photos are written before the rows: nothing of the batch was stored. Batches without
            # photos go on being accepted; this one is retried when there is room again.
            logger.exception("a punch photo could not be stored")
            return refusal(
                503, "unavailable", "Photos cannot be stored now; nothing was stored. Retry later.", retry_after=300
            )

    return view


class DeviceApiView(APIView):
    """The DRF face of a device endpoint: it documents the endpoint in the OpenAPI schema and serves it
    when the fast lane (attendance.api.fastlane) is not in the middleware; both run `endpoint`."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes: list = []
    endpoint: Callable[[HttpRequest], JsonResponse]

    def post(self, request, *args, **kwargs):
        return type(self).endpoint(request._request)


# --- POST /api/device/v1/heartbeat -------------------------------------------------------------------


@cache
def _heartbeat_validator():
    return fastjsonschema.compile(HEARTBEAT)


def _heartbeat(signed: DeviceRequest, data: object) -> JsonResponse:
    """A heartbeat marks the device online and records the liveness setting it reports (rule R06)."""
    try:
        _heartbeat_validator()(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        if exc.rule == "required" or exc.name == "data.liveness_enabled":
            raise BadBody("liveness_enabled is required and must be true or false.") from None
        raise BadBody(exc.message.replace("data.", "", 1)) from None
    reported_at = data.get("reported_at")
    if reported_at is not None:
        try:
            dt.datetime.fromisoformat(reported_at)
        except ValueError:
            raise BadBody("reported_at must be an ISO 8601 date-time.") from None
    device_heartbeat_record(
        device_id=signed.device.pk,
        liveness_enabled=data["liveness_enabled"],
        firmware=data.get("firmware"),
        at=signed.received_at,
        clock_skew=signed.clock_skew,
    )
    return JsonResponse({"server_time": signed.received_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})


heartbeat_endpoint = device_endpoint(_heartbeat, "invalid_heartbeat")


class HeartbeatApi(DeviceApiView):
    """A heartbeat marks the device online and records the liveness setting it reports (rule R06)."""

    endpoint = heartbeat_endpoint

    @extend_schema(
        parameters=SIGNED_HEADERS,
        request={"application/json": as_openapi(HEARTBEAT)},
        responses={200: inline_serializer("HeartbeatAnswer", {"server_time": serializers.DateTimeField()}), **REFUSALS},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


# --- POST /api/device/v1/punches ----------------------------------------------------------------------

RESULT = inline_serializer(
    "PunchResult",
    {
        "record_id": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"]),
        "error": inline_serializer(
            "PunchError", {"code": serializers.CharField(), "message": serializers.CharField()}, required=False
        ),
    },
)


def _punches(signed: DeviceRequest, data: object) -> JsonResponse:
    """A batch of 1–500 punches; each stands alone, and the answer follows the request's order."""
    punches = data.get("punches") if isinstance(data, dict) else None
    if not isinstance(punches, list):
        raise BadBody("The body must be an object with a list `punches`.")
    if not 1 <= len(punches) <= MAX_BATCH:
        raise BadBody(f"A batch holds 1 to {MAX_BATCH} punches, not {len(punches)}.")
    result = punch_batch_ingest(
        device=signed.device, punches=punches, received_at=signed.received_at, clock_skew=signed.clock_skew
    )
    intake_count(accepted=result.accepted, duplicate=result.duplicates, rejected=result.rejected)
    return JsonResponse(result.as_answer())


punches_endpoint = device_endpoint(_punches, "invalid_batch")


class PunchesApi(DeviceApiView):
    """A batch of 1–500 punches; each stands alone, and the answer follows the request's order."""

    endpoint = punches_endpoint

    @extend_schema(
        parameters=SIGNED_HEADERS,
        request={"application/json": as_openapi(PUNCH_BATCH)},
        responses={
            200: inline_serializer(
                "PunchBatchAnswer",
                {
                    "accepted": serializers.IntegerField(),
                    "duplicates": serializers.IntegerField(),
                    "rejected": serializers.IntegerField(),
                    "results": serializers.ListField(child=RESULT),
                },
            ),
            **REFUSALS,
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


# --- POST /api/device/v1/platform/punches (平台对接) ---------------------------------------------------------

MAX_DEVICES = 100


def _platform_punches(signed: PlatformRequest, data: object) -> JsonResponse:
    """A vendor platform's push: up to 100 of its devices, each with a batch as the device API takes it. Each
    device's batch is stored and answered as that device's own request would be, on its own: one device's
    refusal or failure never touches another's."""
    entries = data.get("devices") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_DEVICES:
        raise BadBody(f"The body must be an object with a list `devices` of 1 to {MAX_DEVICES} entries.")
    serials = [entry.get("serial") if isinstance(entry, dict) else None for entry in entries]
    known = {
        device.serial: device
        for device in Device.objects.filter(serial__in=[s for s in serials if isinstance(s, str)]).only(
            "pk", "serial", "vendor_id", "connection", "state"
        )
    }
    answers = [_platform_device(signed, entry, serial, known) for entry, serial in zip(entries, serials, strict=True)]
    return JsonResponse(
        {
            "accepted": sum(a.get("accepted", 0) for a in answers),
            "duplicates": sum(a.get("duplicates", 0) for a in answers),
            "rejected": sum(a.get("rejected", 0) for a in answers),
            "devices": answers,
        }
    )


def _platform_device(signed: PlatformRequest, entry: object, serial: object, known: dict[str, Device]) -> dict:
    def error(code: str, message: str) -> dict:
        return {"serial": serial if isinstance(serial, str) else None, "error": {"code": code, "message": message}}

    if not isinstance(serial, str) or not serial:
        return error("missing_field", "Each device entry needs its serial.")
    device = known.get(serial)
    if device is None or device.vendor_id != signed.vendor_id:
        # Another vendor's device is answered as no device at all: a platform learns nothing of others' serials.
        return error("unknown_device", f"No device of this vendor has serial number {serial}.")
    if device.connection != Connection.PLATFORM:
        return error("direct_device", "This device is registered for direct connection: it signs its own requests.")
    if device.state != DeviceState.ACTIVE:
        return error("device_disabled", "This device was retired or disabled by staff.")
    punches = entry.get("punches") if isinstance(entry, dict) else None
    if not isinstance(punches, list) or not 1 <= len(punches) <= MAX_BATCH:
        return error("invalid_batch", f"A device's batch holds 1 to {MAX_BATCH} punches.")
    identity = device_identity(serial, "")
    if identity is None:  # removed since the lookup above
        return error("unknown_device", f"No device of this vendor has serial number {serial}.")
    try:
        result = punch_batch_ingest(device=identity, punches=punches, received_at=signed.received_at)
    except (OperationalError, InterfaceError, PhotoStorageUnavailable):
        logger.exception("a platform push could not store a device's batch")
        return error("unavailable", "This device's punches cannot be stored now; none of them was stored. Retry.")
    intake_count(accepted=result.accepted, duplicate=result.duplicates, rejected=result.rejected)
    return {"serial": serial, **result.as_answer()}


def _platform_headers(request: HttpRequest) -> None:
    check_headers(request, "X-Platform-Key")


platform_punches_endpoint = device_endpoint(
    _platform_punches, "invalid_batch", signed_by=authenticate_platform, headers=_platform_headers
)


class PlatformPunchesApi(DeviceApiView):
    """A vendor platform's push (平台对接): many of its devices' batches in one signed request."""

    endpoint = platform_punches_endpoint

    @extend_schema(
        parameters=[
            OpenApiParameter("X-Platform-Key", str, OpenApiParameter.HEADER, required=True, description="platform key"),
            *SIGNED_HEADERS[1:],
        ],
        request={
            "application/json": {
                "type": "object",
                "required": ["devices"],
                "properties": {
                    "devices": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_DEVICES,
                        "items": {
                            "type": "object",
                            "required": ["serial", "punches"],
                            "properties": {
                                "serial": {"type": "string"},
                                "punches": as_openapi(PUNCH_BATCH)["properties"]["punches"],
                            },
                        },
                    }
                },
            }
        },
        responses={200: OpenApiResponse(description="per device: its batch's answer, or its error"), **REFUSALS},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


# The device API's routes (paths without the leading slash), read by the URL configuration and the
# fast lane alike.
DEVICE_ROUTES: dict[str, tuple[str, type[DeviceApiView]]] = {
    "api/device/v1/heartbeat": ("device-heartbeat", HeartbeatApi),
    "api/device/v1/punches": ("device-punches", PunchesApi),
    "api/device/v1/platform/punches": ("platform-punches", PlatformPunchesApi),
}
