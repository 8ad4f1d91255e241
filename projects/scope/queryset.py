"""The queryset every scoped model's manager is made from: `Project.objects.restrict(user, "view")`.

It imports no model, so that the models may import it (the scope's table is read when a query is built).
"""

from __future__ import annotations

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """NetBox's `RestrictedQuerySet`, for the platform's jurisdiction: the rows on which `user` may do
    `action` ("view", "change", or one of the model's own actions in projects.scope.table)."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        from projects.scope.core import scope_of

        return scope_of(user).restrict(self, action)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


class ScopedModel(models.Model):
    """A model whose rows the one scope cuts: `Model.objects.restrict(user, action)` (and its related managers)."""

    objects = RestrictedManager()

    class Meta:
        abstract = True
