"""The admin's model permissions, read from the one scope's table: an account may view (change, add,
delete) a model's admin page when its scope reaches rows of that model for that action. Which rows is
then the scope's question on every page (projects.admin.base). Seeing full ID numbers is never implied
by a kind of account: the operator grants `projects.view_full_id_number` to individual accounts."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from projects.scope.core import NOTHING, Kind, scope_of

ADMIN_ACTIONS = ("view", "change", "add", "delete")


# The answers by the scope's key, for the process's life: the reaches are built from the key's fields alone (a
# condition on rows, never a query), so two requests of one account get the same set; building the ~160
# conditions cost an admin page ~15 ms (py-spy over the test suite: 7% of its time). A changed account has
# another key (scope_of rebuilds the scope from the account's fields).
_BY_KEY: dict[tuple, frozenset[str]] = {}
_BY_KEY_MAX = 4096  # accounts signed in on one process between restarts; past it, the oldest half goes


def admin_permissions(scope) -> frozenset[str]:
    """`app.action_model` for every model and admin action the scope reaches any row of."""
    cached = _BY_KEY.get(scope.key)
    if cached is None:
        cached = _admin_permissions(scope)
        if len(_BY_KEY) >= _BY_KEY_MAX:
            for key in list(_BY_KEY)[: _BY_KEY_MAX // 2]:
                _BY_KEY.pop(key, None)
        _BY_KEY[scope.key] = cached
    return cached


def _admin_permissions(scope) -> frozenset[str]:
    from projects.scope.table import RULES

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
    return frozenset(granted)


class ScopeBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is not None:
            return set()
        return set(admin_permissions(scope_of(user_obj)))

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
