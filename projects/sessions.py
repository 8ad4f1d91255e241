"""Sessions that tire: a login idle longer than its role allows is ended on its next request.

Regulators (city, district) reach the personal data of a whole district or city: their sessions end
after SMZ_SESSION_IDLE_MINUTES_REGULATOR (30) minutes without a request; the other roles after
SMZ_SESSION_IDLE_MINUTES_OTHER. The last request's time is kept in the session (server side), to the
minute, from the login on: the login writes the time it happened, so a login left unused is ended like one
used and left, and the first page after it does not write the session again.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from projects.scope import scope_of

LAST_SEEN = "smz_last_seen"


def idle_limit_seconds(user) -> int:
    # Asked of the one scope: the regulators' sessions end sooner.
    regulator = scope_of(user).can("short_sessions")
    minutes = settings.SMZ_SESSION_IDLE_MINUTES_REGULATOR if regulator else settings.SMZ_SESSION_IDLE_MINUTES_OTHER
    return minutes * 60


@receiver(user_logged_in, dispatch_uid="projects.sessions.login_is_activity")
def login_is_activity(sender, request, user, **kwargs) -> None:
    """A login is the session's first activity: its idle time counts from it (before, from the first page after
    it, however long after the login that came), and that page finds the time written and writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # Token-authenticated API calls carry no session: DRF authenticates them later, untouched here.
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - int(last) > idle_limit_seconds(user):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session ended after a time without activity.")}, status=401)
                messages.info(request, _("Your session ended after a time without activity; please sign in again."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if last is None or now - int(last) >= 60:  # one session write a minute at most
                request.session[LAST_SEEN] = now
        return self.get_response(request)
