"""The account's scope in every template: `{% if scope.caps.regulate %}`, `{{ scope.district.name }}`."""

from __future__ import annotations

from projects.scope.core import scope_of


def scope(request) -> dict:
    user = getattr(request, "user", None)
    return {"scope": scope_of(user)}
