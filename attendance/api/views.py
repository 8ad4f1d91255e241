"""POST /api/device/v1/punches (api.md §1)."""

from __future__ import annotations

from django.http import JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from attendance.services import punch_batch_ingest
from devices.api.device_api import REFUSALS, SIGNED_HEADERS, BadBody, DeviceApiView, device_endpoint
from devices.gateway import DeviceRequest

MAX_BATCH = 500

PUNCH = inline_serializer(
    "PunchRecord",
    {
        "record_id": serializers.CharField(max_length=64),
        "id_number": serializers.CharField(min_length=18, max_length=18),
        "punched_at": serializers.DateTimeField(),
        "direction": serializers.ChoiceField(choices=["in", "out"]),
        "method": serializers.ChoiceField(choices=["face", "fingerprint", "iris", "id_card", "mobile"]),
        "liveness": serializers.BooleanField(required=False, allow_null=True),
        "match_score": serializers.FloatField(required=False, min_value=0, max_value=1),
        "photo": serializers.CharField(required=False, help_text="base64 JPEG, at most 200 KiB decoded"),
        "photo_sha256": serializers.CharField(required=False),
        "lat": serializers.FloatField(required=False),
        "lon": serializers.FloatField(required=False),
    },
)
RESULT = inline_serializer(
    "PunchResult",
    {
        "record_id": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"]),
        "error": inline_serializer("PunchError", {"code": serializers.CharField(), "message": serializers.CharField()},
                                   required=False),
    },
)  # fmt: skip


def _punches(signed: DeviceRequest, data: object) -> JsonResponse:
    """A batch of 1–500 punches; each stands alone, and the answer follows the request's order."""
    punches = data.get("punches") if isinstance(data, dict) else None
    if not isinstance(punches, list):
        raise BadBody("The body must be an object with a list `punches`.")
    if not 1 <= len(punches) <= MAX_BATCH:
        raise BadBody(f"A batch holds 1 to {MAX_BATCH} punches, not {len(punches)}.")
    result = punch_batch_ingest(device=signed.device, punches=punches, received_at=signed.received_at)
    return JsonResponse(result.as_answer())


punches_endpoint = device_endpoint(_punches, "invalid_batch")


class PunchesApi(DeviceApiView):
    """A batch of 1–500 punches; each stands alone, and the answer follows the request's order."""

    endpoint = punches_endpoint

    @extend_schema(
        parameters=SIGNED_HEADERS,
        request=inline_serializer(
            "PunchBatch", {"punches": serializers.ListField(child=PUNCH, min_length=1, max_length=MAX_BATCH)}
        ),
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
