"""The one scope: who may see and do what, and where (杭建市发〔2016〕39号 四).

    scope = scope_of(request.user)
    scope.restrict(Alert.objects.all(), "view")      # or Alert.objects.restrict(user, "view")
    scope.authorize(alert, "triage")                 # 404 outside what it reads, 403 outside the action
    scope.can("regulate")                            # a capability of the account's kind

The table of every model and action is projects.scope.table; docs/access.md is generated from it.
Nothing outside this package reads an account's role or jurisdiction (scripts/check_scope.py, make lint).
"""

from projects.scope.core import FIRM_KINDS, NOTHING, REGULATOR_KINDS, Kind, Scope, kind_of, scope_of
from projects.scope.queryset import RestrictedManager, RestrictedQuerySet


def restrict(queryset, user, action: str = "view"):
    """A queryset cut to the rows `user` may `action` (for models whose manager has no `restrict`)."""
    return scope_of(user).restrict(queryset, action)


__all__ = [
    "FIRM_KINDS",
    "NOTHING",
    "REGULATOR_KINDS",
    "Kind",
    "RestrictedManager",
    "RestrictedQuerySet",
    "Scope",
    "kind_of",
    "restrict",
    "scope_of",
]
