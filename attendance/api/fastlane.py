"""The device API's fast lane: signed device requests skip the middleware and the framework they do
not use (sessions, authentication, CSRF, messages, locale negotiation, URL resolution, DRF).

Devices send the platform's highest request rate (make bench-intake); each of those layers costs
time on every punch and serves nothing a device request needs. The lane sits right after Django's
SecurityMiddleware and hands the device routes (attendance.api.device.DEVICE_ROUTES, the same table
the URL configuration reads) to the endpoints their DRF views run, so the answers are the same
either way. Answers are in the platform's language (Chinese) whatever the thread served before.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class DeviceFastLaneMiddleware:
    def __init__(self, get_response):
        from attendance.api.device import DEVICE_ROUTES

        self.get_response = get_response
        self.routes = {f"/{route}": view.endpoint for route, (_name, view) in DEVICE_ROUTES.items()}

    def __call__(self, request):
        endpoint = self.routes.get(request.path_info)
        if endpoint is None:
            return self.get_response(request)
        with translation.override(settings.LANGUAGE_CODE):
            return endpoint(request)
