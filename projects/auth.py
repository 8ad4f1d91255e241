"""Permissions by role: an authentication backend that grants what each role may do in the admin.

Every role may view the platform's records of SCOPED_VIEW (the querysets are then cut to the user's
scope by projects.jurisdiction); city settings are the city's alone; only the city regulator may add,
change or delete in the admin. Seeing
full ID numbers is never implied by a role: it is granted to individual users (or groups).
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from projects.choices import Role

APPS = ("projects", "devices", "attendance", "inspections", "reports")
CITY_ONLY_VIEW = {"common.view_auditevent", "common.view_operationalalert", "common.change_operationalalert"}
# The records other roles may browse in the admin, each page cut to their scope (a ScopedAdmin). Every
# other model is a city setting or the platform's own bookkeeping (policies, rule runs, export grants,
# deduction standards, code tables, accounts of others): the city's alone.
SCOPED_VIEW = {
    "projects.enterprise", "projects.project", "projects.person", "projects.engagement", "projects.statusrequest",
    "projects.projectstatuschange", "projects.identityconflict", "projects.user",
    "devices.device",
    "attendance.punch", "attendance.dailypresence",
    "inspections.alert", "inspections.inspection", "inspections.case", "inspections.measure",
    "inspections.rectificationreply", "inspections.creditrecord", "inspections.campaign", "inspections.randomdraw",
    # Inlines of the pages above, shown within them (their parent's scope).
    "projects.projectparticipant", "projects.statusrequestattachment", "devices.deviceflip",
    "inspections.inspectionfinding", "inspections.devicetest", "inspections.caseevent",
    "inspections.campaignphasedates",
}  # fmt: skip


# The platform's own security records the city manages: unlocking a locked-out login, revoking a token.
CITY_SECURITY = {"axes.view_accessattempt", "axes.delete_accessattempt", "knox.view_authtoken",
                 "knox.delete_authtoken"}  # fmt: skip


@cache
def _permissions(role: str) -> frozenset[str]:
    models = [(label, model._meta.model_name) for label in APPS for model in apps.get_app_config(label).get_models()]
    if role == Role.CITY:
        actions = ("view", "add", "change", "delete")
        everything = {f"{label}.{a}_{name}" for label, name in models for a in actions}
        return frozenset(everything | CITY_ONLY_VIEW | CITY_SECURITY)
    return frozenset(f"{label}.view_{name}" for label, name in models if f"{label}.{name}" in SCOPED_VIEW)


class RoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or not getattr(user_obj, "role", None):
            return set()
        return set(_permissions(user_obj.role))

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
