"""The admin's model permissions, read from the one scope's table: an account may view (change, add,
delete) a model's admin page when its scope reaches rows of that model for that action. Which rows is
then the scope's question on every page (projects.admin.base). Seeing full ID numbers is never implied
by a kind of account: the operator grants `projects.view_full_id_number` to individual accounts."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from projects.scope.core import NOTHING, Kind, scope_of

ADMIN_ACTIONS = ("view", "change", "add", "delete")


def admin_permissions(scope) -> frozenset[str]:
    """`app.action_model` for every model and admin action the scope reaches any row of."""
    from projects.scope.table import RULES

    cached = getattr(scope, "_admin_permissions", None)
    if cached is not None:
        return cached
    granted = set()
    if scope.kind is not Kind.ANONYMOUS:
        for label, rule in RULES.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            reached = {a for a in ADMIN_ACTIONS if a in rule.actions and scope.q(model, a) != NOTHING}
            if rule.setting and not reached & {"change", "add"}:
                reached.discard("view")  # a setting's admin page is for those who set it
            granted |= {f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in reached}
    scope._admin_permissions = frozenset(granted)
    return scope._admin_permissions


class ScopeBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is not None:
            return set()
        return set(admin_permissions(scope_of(user_obj)))

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
