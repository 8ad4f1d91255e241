"""The admin site: Django's, with each account's list of admin pages (the index and every page's side menu) kept.

Building the list asks every one of ~45 admin pages whether the account may view, add, change or delete there and
reverses two addresses for each: ~5 ms of every admin page. What it answers depends on the account's scope (its
key), its own Django permissions (all of them for the operator), the language, the address prefix and the urlconf,
and on nothing else (every admin page's has_*_permission asks those): they make the key, so a kept list is what
building it would give again; an operator's grant changes the permissions and so the key.
"""

from __future__ import annotations

import copy

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

_KEPT: dict[tuple, list[dict]] = {}
_KEPT_MAX = 4096  # accounts × languages on one process; past it, the oldest half goes


class PlatformAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        from django.contrib.auth.backends import ModelBackend  # models: not at the app registry's loading

        from projects.scope import scope_of

        user = request.user
        key = (
            app_label,
            scope_of(user).key,  # the account's kind (the operator's among them), jurisdiction and firm
            frozenset(ModelBackend().get_all_permissions(user)),
            translation.get_language(),
            get_script_prefix(),
            get_urlconf(),
        )
        kept = _KEPT.get(key)
        if kept is None:
            kept = super().get_app_list(request, app_label)
            if len(_KEPT) >= _KEPT_MAX:
                for old in list(_KEPT)[: _KEPT_MAX // 2]:
                    _KEPT.pop(old, None)
            _KEPT[key] = kept
        return copy.deepcopy(kept)  # the pages' own to change


class PlatformAdminConfig(AdminConfig):
    default_site = "projects.adminsite.PlatformAdminSite"
