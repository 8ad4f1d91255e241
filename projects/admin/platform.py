"""The platform's own records (the audit log, operational alerts) and the libraries' admin pages (login
lockouts, API tokens, permission groups), each re-registered under the one scope: a regulator reads the
audit of the accounts it manages, unlocks their logins and ends their tokens; the rest is the operator's."""

from __future__ import annotations

import axes.admin  # noqa: F401  registers the lockout pages first, so that they can be replaced here
import knox.admin  # noqa: F401
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from knox.admin import AuthTokenAdmin
from knox.models import AuthToken

from projects.admin.base import ReadOnlyAdminMixin, ScopedAdmin
from projects.scope import scope_of
from smz_platform.common.models import AuditEvent, OperationalAlert


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """The audit log: read-only; a regulator reads the entries of the accounts it manages and its own."""

    list_display = ["at", "username", "action", "what", "project_permit_no", "record_count", "client_address"]
    list_filter = ["action"]
    search_fields = ["username", "what", "project_permit_no"]
    date_hierarchy = "at"


@admin.register(OperationalAlert)
class OperationalAlertAdmin(ScopedAdmin):
    """The platform's operational alerts (a late night, a device backlog): the operator's."""

    list_display = ["key", "message", "first_seen", "last_seen", "resolved_at"]
    readonly_fields = ["key", "message", "first_seen", "last_seen", "resolved_at"]

    def has_add_permission(self, request):
        return False


class _LibraryPage:
    """A library's page under the scope: its rows cut, and of its actions only deleting what the account
    may delete (a library's own action, e.g. axes' cleanup of every expired lockout, is the operator's)."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if scope_of(request.user).is_operator:
            return actions
        return {name: action for name, action in actions.items() if name == "delete_selected"}


def _replace(model, admin_class, name: str):
    """The library's own admin class, its rows and objects cut to the scope."""
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    bases = (_LibraryPage, ScopedAdmin, admin_class)
    scoped = type(name, bases, {"__module__": __name__, "__doc__": admin_class.__doc__})
    admin.site.register(model, scoped)
    return scoped


ScopedAccessAttemptAdmin = _replace(AccessAttempt, AccessAttemptAdmin, "ScopedAccessAttemptAdmin")
ScopedAccessLogAdmin = _replace(AccessLog, AccessLogAdmin, "ScopedAccessLogAdmin")
ScopedAccessFailureLogAdmin = _replace(AccessFailureLog, AccessFailureLogAdmin, "ScopedAccessFailureLogAdmin")
ScopedAuthTokenAdmin = _replace(AuthToken, AuthTokenAdmin, "ScopedAuthTokenAdmin")
ScopedGroupAdmin = _replace(Group, GroupAdmin, "ScopedGroupAdmin")
