"""The device API's fast lane: signed device requests skip the middleware and the framework they do
not use (sessions, authentication, CSRF, messages, locale negotiation, URL resolution, DRF).

Devices send the platform's highest request rate (make bench-intake); each of those layers costs
time on every punch and serves nothing a device request needs. The lane sits right after Django's
SecurityMiddleware and hands the two device paths to the same endpoint functions the DRF views
(which document them in the OpenAPI schema) call, so the answers are the same either way. Answers
are in the platform's language (Chinese) whatever the thread served before.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class DeviceFastLaneMiddleware:
    def __init__(self, get_response):
        from attendance.api.views import punches_endpoint
        from devices.api.device_api import heartbeat_endpoint

        self.get_response = get_response
        self.routes = {"/api/device/v1/heartbeat": heartbeat_endpoint, "/api/device/v1/punches": punches_endpoint}

    def __call__(self, request):
        endpoint = self.routes.get(request.path_info)
        if endpoint is None:
            return self.get_response(request)
        with translation.override(settings.LANGUAGE_CODE):
            return endpoint(request)
