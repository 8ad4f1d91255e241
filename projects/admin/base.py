"""The admin's base classes: every page, form, choice and action cut to the account's scope (projects.scope).

A list shows the rows the account reads; a change form opens only on a row it reads and saves only a
row it may change, before and after the change (a row moved out of reach by the change is refused and
rolled back); every foreign key offers only rows the account reads; nothing is deleted outside its scope.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from projects.scope import scope_of
from projects.scope.table import RULES


def _has(request: HttpRequest, model, action: str) -> bool:
    return scope_of(request.user).may_admin(model, action)


def scoped_choices(request: HttpRequest, related_model, queryset=None):
    """The rows a foreign key may point to: those the account reads (all, for a model the scope has no
    rule for, such as a code table of a library)."""
    if related_model._meta.label_lower not in RULES:
        return queryset
    base = queryset if queryset is not None else related_model._default_manager.all()
    return scope_of(request.user).restrict(base, "view")


class ScopedMixin:
    """For ModelAdmin and inlines: querysets, object permissions and choices from the one scope."""

    def get_queryset(self, request: HttpRequest):
        return scope_of(request.user).restrict(super().get_queryset(request), "view")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = scoped_choices(request, db_field.related_model, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = scoped_choices(request, db_field.related_model, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedMixin, admin.ModelAdmin):
    """Every admin page of the platform: its rows, its forms and its actions within the account's scope."""

    def has_view_permission(self, request, obj=None):
        allowed = _has(request, self.model, "view") or _has(request, self.model, "change")
        return allowed and (obj is None or scope_of(request.user).allows(obj, "view"))

    def has_change_permission(self, request, obj=None):
        return _has(request, self.model, "change") and (obj is None or scope_of(request.user).allows(obj, "change"))

    def has_delete_permission(self, request, obj=None):
        return _has(request, self.model, "delete") and (obj is None or scope_of(request.user).allows(obj, "delete"))

    def save_model(self, request, obj, form, change):
        """Saved only if the row stays within what the account may change (a change that moves it out of
        reach, or an addition outside it, is refused; the admin's view is atomic, so nothing is kept)."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self.check_saved(request, obj)

    def check_saved(self, request, obj) -> None:
        obj.__dict__.pop("_smz_allowed", None)  # asked afresh of the row as saved
        if not scope_of(request.user).allows(obj, "change"):
            raise PermissionDenied

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, scope_of(request.user).restrict(queryset, "delete"))


class ScopedInline(ScopedMixin):
    """An inline of a scoped page: changed only where its parent row may be changed."""

    def _parent_changeable(self, request, obj) -> bool:
        return obj is None or scope_of(request.user).allows(obj, "change")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_changeable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_changeable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_changeable(request, obj)


class ReadOnlyAdminMixin:
    """Records written by the platform itself (history, punches): shown, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
