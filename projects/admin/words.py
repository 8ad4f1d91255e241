"""The admin in the regulator's words (issue 25): positions by their names, a list of positions as boxes
to tick, JSON lists and field names as sentences; never a code, a JSON list or a Python value."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.selectors import position_choices, position_names


def positions_text(codes) -> str:
    names = position_names()
    return "、".join(names.get(code, code) for code in codes or []) or "—"


def position_field(db_field, **kwargs) -> forms.Field:
    """岗位 as a select of the code table's names (the stored value stays the code)."""
    return forms.ChoiceField(
        label=db_field.verbose_name, required=not db_field.blank, choices=[("", "—"), *position_choices()], **kwargs
    )


def positions_field(db_field, **kwargs) -> forms.Field:
    """A JSON list of positions as boxes to tick, each by its name."""
    return forms.TypedMultipleChoiceField(
        label=db_field.verbose_name,
        required=False,
        choices=position_choices(),
        widget=forms.CheckboxSelectMultiple,
        help_text=db_field.help_text,
        **kwargs,
    )


class PositionWordsMixin:
    """For a ModelAdmin: its `position_fields` as selects of names, its `positions_fields` as boxes; on a
    page the account may only read, each shown as the names it holds."""

    position_fields: tuple[str, ...] = ()
    positions_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.position_fields:
            return position_field(db_field)
        if db_field.name in self.positions_fields:
            return positions_field(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or self.has_change_permission(request, obj):
            return fields
        worded = {
            **dict.fromkeys(self.position_fields, "position_words"),
            **dict.fromkeys(self.positions_fields, "positions_words"),
        }
        return [worded.get(name, name) for name in fields]

    @admin.display(description=_("position"))
    def position_words(self, obj) -> str:
        return positions_text([getattr(obj, name) for name in self.position_fields if getattr(obj, name)])

    @admin.display(description=_("positions"))
    def positions_words(self, obj) -> str:
        return "；".join(positions_text(getattr(obj, name)) for name in self.positions_fields)


def listed(values, *, empty: str = "—") -> str:
    """A stored list as words: its items joined (a JSON list never shows its brackets and quotes)."""
    return "、".join(str(v) for v in values or []) or empty


NO_WARNINGS = _("None")
