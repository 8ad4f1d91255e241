"""The form that changes a policy (考核口径): every setting in the regulator's words, the day the change
takes effect and why. The policy page and the admin use it alike, and both save through
inspections.services.policies.policy_change."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Policy
from inspections.selectors.policies import setting_values, with_values
from inspections.services.policies import change_errors, first_unjudged_day
from projects.choices import ParticipantRole
from projects.selectors import position_choices

POSITIONS_FIELDS = ("r11_key_positions",)


def setting_formfield(db_field, **kwargs) -> forms.Field | None:
    """A setting as a form field in words: positions and firms' roles as boxes to tick."""
    if db_field.name in POSITIONS_FIELDS:  # the code table's choices are read per form (__init__), not at import
        return forms.TypedMultipleChoiceField(
            label=db_field.verbose_name,
            required=False,
            choices=[],
            widget=forms.CheckboxSelectMultiple,
            help_text=db_field.help_text,
        )
    if db_field.name == "managers_judged_roles":
        return forms.TypedMultipleChoiceField(
            label=db_field.verbose_name,
            required=False,
            choices=ParticipantRole.choices,
            widget=forms.CheckboxSelectMultiple,
            help_text=db_field.help_text,
        )
    if db_field.name == "go_live" or db_field.get_internal_type() == "DateField":
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    return db_field.formfield(**kwargs)


class PolicyChangeForm(forms.ModelForm):
    """A change of an existing policy's settings needs the day it takes effect and a reason."""

    effective_from = forms.DateField(
        label=_("effective from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The first day judged by the new values: a day no night has judged yet."),
    )
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the version, in the policy's history and the audit log."),
    )

    class Meta:
        model = Policy
        fields = [f.name for f in Policy.settings_fields()]
        formfield_callback = setting_formfield

    # The page asks for a change; the admin may also save a policy's name alone. A preview needs neither
    # the day nor the reason.
    require_change = True
    for_preview = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in POSITIONS_FIELDS:
            if name in self.fields and not self.fields[name].choices:
                self.fields[name].choices = position_choices()
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("effective_from", first_unjudged_day())

    def draft_values(self) -> dict:
        """The settings the form holds (once cleaned), as a version keeps them."""
        held = {f.name: self.cleaned_data[f.name] for f in Policy.settings_fields() if f.name in self.cleaned_data}
        return setting_values(with_values(Policy.objects.get(pk=self.instance.pk), held))

    def settings_changed(self) -> bool:
        """Whether the cleaned settings differ from the stored policy's."""
        return bool(self.instance.pk) and self.draft_values() != setting_values(Policy.objects.get(pk=self.instance.pk))

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or self.for_preview:
            return cleaned
        if not self.settings_changed():
            if self.require_change:
                raise forms.ValidationError(_("The draft is the policy in force: nothing to change."))
            return cleaned
        stored = Policy.objects.get(pk=self.instance.pk)
        for name, message in change_errors(
            policy=stored, effective_from=cleaned.get("effective_from"), reason=cleaned.get("reason", "")
        ).items():
            self.add_error(name, message)
        return cleaned
