"""GET /api/v1/projects/{permit_no}/presence/?month=2026-10 (integration API, /api/schema/)."""

from __future__ import annotations

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inspections.filters import AlertFilter
from inspections.models import Alert
from inspections.models.rules import Handling
from inspections.selectors import project_presence, uncounted_punches
from inspections.selectors.handling import with_handling
from inspections.services import triage as services
from projects.models import Engagement
from projects.scope import scope_of
from projects.selectors import project_get
from smz_platform.common.api import parse_month
from smz_platform.common.months import month_end

MANAGER = inline_serializer(
    "ManagerPresence",
    {
        "engagement": serializers.IntegerField(),
        "name": serializers.CharField(),
        "id_number": serializers.CharField(),
        "position": serializers.CharField(),
        "attended_days": serializers.IntegerField(),
        "construction_days": serializers.IntegerField(),
        "ratio": serializers.FloatField(allow_null=True),
        "threshold": serializers.FloatField(),
        "passed": serializers.BooleanField(),
    },
)
UNCOUNTED = inline_serializer(
    "UncountedPunch",
    {
        "day": serializers.DateField(),
        "punched_at": serializers.DateTimeField(),
        "name": serializers.CharField(),
        "id_number": serializers.CharField(),
        "device": serializers.CharField(),
        "rule": serializers.CharField(),
        "reason": serializers.CharField(),
    },
)
WORKERS = inline_serializer(
    "WorkerPresence",
    {
        "engaged": serializers.IntegerField(),
        "attended_person_days": serializers.IntegerField(),
        "rate": serializers.FloatField(allow_null=True),
        "threshold": serializers.FloatField(),
        "passed": serializers.BooleanField(),
    },
)


class ProjectPresenceApi(APIView):
    """The month's presence (to date for the running month), ID numbers masked."""

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; default the running month")],
        responses={
            200: inline_serializer(
                "ProjectPresence",
                {
                    "project": serializers.CharField(),
                    "month": serializers.CharField(),
                    "construction_days": serializers.IntegerField(),
                    "managers": serializers.ListField(child=MANAGER),
                    "workers": WORKERS,
                    "uncounted": serializers.ListField(
                        child=UNCOUNTED,
                        help_text=("The month's punches that did not make a day attended, and why (first 500)."),
                    ),
                },
            )
        },
    )
    def get(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        month = parse_month(request.query_params.get("month"))
        presence = project_presence(project=project, month=month)
        uncounted = uncounted_punches(project=project, first=month, last=month_end(month), user=request.user)
        # The people scope: a subcontractor reads its own managers, a vendor none (the rates are figures).
        visible = set(
            Engagement.objects.restrict(request.user, "view").filter(project=project).values_list("pk", flat=True)
        )
        return Response(
            {
                "project": project.permit_no,
                "month": month.strftime("%Y-%m"),
                "construction_days": presence.construction_days,
                "managers": [asdict(m) for m in presence.managers if m.engagement in visible],
                "workers": asdict(presence.workers),
                "uncounted": [
                    {
                        "day": u.day,
                        "punched_at": u.punched_at,
                        "name": u.name,
                        "id_number": u.id_number,
                        "device": u.device,
                        "rule": u.rule,
                        "reason": u.reason,
                    }
                    for u in uncounted
                ],
            }
        )


class AlertSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no")
    handling = serializers.SerializerMethodField(
        help_text="处置状态 as every page shows it: open, acknowledged, in_case, resolved, dismissed "
        "(`state` is the rules' own)."
    )

    @extend_schema_field(serializers.ChoiceField(choices=Handling.choices))
    def get_handling(self, alert: Alert) -> str:
        if hasattr(alert, "handling"):
            return alert.handling
        return with_handling(Alert.objects.filter(pk=alert.pk)).values_list("handling", flat=True).get()

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "project",
            "subject",
            "subject_type",
            "period_start",
            "period_end",
            "evidence",
            "state",
            "handling",
            "scored",
            "first_detected",
            "last_seen",
            "resolved_at",
            "dismissed_reason",
        ]


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts of the user's jurisdiction; without `state`, alerts in every state."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter

    def get_queryset(self):
        return with_handling(Alert.objects.restrict(self.request.user, "view").select_related("project"))


def _alert(request: Request, alert_id: int) -> Alert:
    return get_object_or_404(Alert.objects.restrict(request.user, "view").select_related("project"), pk=alert_id)


class AlertAcknowledgeApi(APIView):
    @extend_schema(request=None, responses={200: AlertSerializer})
    def post(self, request: Request, alert_id: int) -> Response:
        alert = services.alert_acknowledge(user=request.user, alert=_alert(request, alert_id))
        return Response(AlertSerializer(alert).data)


class AlertDismissApi(APIView):
    @extend_schema(request=DismissSerializer, responses={200: AlertSerializer})
    def post(self, request: Request, alert_id: int) -> Response:
        alert = _alert(request, alert_id)
        scope_of(request.user).authorize(alert, "triage")  # who may, before what is wrong with the body
        data = DismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_dismiss(user=request.user, alert=alert, reason=data.validated_data["reason"])
        return Response(AlertSerializer(alert).data)
