"""Permissions by role: an authentication backend that grants what each role may do in the admin.

Every role may view the platform's records (the querysets are then cut to the user's jurisdiction
by projects.jurisdiction); only the city regulator may add, change or delete in the admin. Seeing
full ID numbers is never implied by a role: it is granted to individual users (or groups).
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from projects.choices import Role

APPS = ("projects", "devices", "attendance", "inspections", "reports")
CITY_ONLY_VIEW = {"common.view_auditevent", "common.view_operationalalert", "common.change_operationalalert"}


@cache
def _permissions(role: str) -> frozenset[str]:
    actions = ("view", "add", "change", "delete") if role == Role.CITY else ("view",)
    perms = {
        f"{label}.{action}_{model._meta.model_name}"
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        for action in actions
    }
    if role == Role.CITY:
        perms |= CITY_ONLY_VIEW
    return frozenset(perms)


class RoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or not getattr(user_obj, "role", None):
            return set()
        return set(_permissions(user_obj.role))

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
