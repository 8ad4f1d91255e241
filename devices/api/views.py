"""Device registration and reads (the integration API, its OpenAPI schema at /api/schema/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from devices import selectors, services
from devices.api import serializers as s
from devices.filters import DeviceFilter
from projects.scope import scope_of
from projects.selectors import project_get


class ProjectDeviceApi(APIView):
    """Register a device on a project; the answer holds its signing secret, shown this once."""

    @extend_schema(request=s.DeviceInSerializer, responses={201: s.DeviceRegisteredSerializer})
    def post(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        scope_of(request.user).authorize(project, "register_device")  # who may, before what is wrong with the body
        data = s.DeviceInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registered = services.device_register(user=request.user, project=project, **data.validated_data)
        return Response(
            {"serial": registered.device.serial, "secret": registered.secret}, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: s.DeviceSerializer(many=True)})
    def get(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        devices = selectors.device_list(user=request.user).filter(project=project)
        return Response(s.DeviceSerializer(devices, many=True).data)


class DeviceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Devices with their last heartbeat, last punch, liveness setting and online state."""

    serializer_class = s.DeviceSerializer
    filterset_class = DeviceFilter
    lookup_field = "serial"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return selectors.device_list(user=self.request.user)
