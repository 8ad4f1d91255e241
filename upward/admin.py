from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from projects.admin import ScopedAdmin, ScopedInline
from upward.models import OutboxItem, OutboxState, ProjectCredential, Receiver
from upward.services import outbox_resend


class ReceiverForm(forms.ModelForm):
    """The app secret is written, never shown: left empty on a change, the stored one stays."""

    url = forms.URLField(label=_("interface address"), max_length=300, assume_scheme="https")

    secret = forms.CharField(
        label=_("app secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Issued by the receiver. Stored encrypted; leave empty to keep the current one."),
    )

    class Meta:
        model = Receiver
        fields = [
            "region",
            "name",
            "level",
            "url",
            "appid",
            "cipher",
            "version",
            "batch_size",
            "calls_per_minute",
            "timeout_seconds",
            "enabled",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("secret"):
            self.add_error("secret", _("A new receiver needs the app secret it issued."))
        return cleaned

    def save(self, commit=True):
        receiver = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            receiver.set_secret(self.cleaned_data["secret"])
        if commit:
            receiver.save()
        return receiver


class CredentialForm(forms.ModelForm):
    """A project's appid and secret, the secret written and never shown (empty on a change: the stored one stays)."""

    secret = forms.CharField(
        label=_("app secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Issued by the receiver for this project. Stored encrypted; leave empty to keep it."),
    )

    class Meta:
        model = ProjectCredential
        fields = ["project", "appid"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and cleaned.get("appid") and not cleaned.get("secret"):
            self.add_error("secret", _("A new project credential needs the app secret the receiver issued."))
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            credential.set_secret(self.cleaned_data["secret"])
        if commit:
            credential.save()
        return credential


class CredentialInline(ScopedInline, admin.TabularInline):
    model = ProjectCredential
    form = CredentialForm
    extra = 0
    raw_id_fields = ["project"]


@admin.register(Receiver)
class ReceiverAdmin(ScopedAdmin):
    form = ReceiverForm
    inlines = [CredentialInline]
    list_display = ["name", "level", "region", "url", "appid", "enabled"]
    list_filter = ["level", "enabled"]


@admin.register(OutboxItem)
class OutboxItemAdmin(ScopedAdmin):
    list_display = ["kind", "key", "project", "receiver", "state", "attempts", "message", "created_at", "done_at"]
    list_filter = ["state", "kind", "receiver"]
    search_fields = ["key", "project__permit_no", "message"]
    list_select_related = ["receiver", "project"]
    readonly_fields = [f.name for f in OutboxItem._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Resend the selected refused or withheld records"))
    def resend(self, request, queryset):
        written = 0
        for item in queryset.filter(state__in=[OutboxState.FAILED, OutboxState.WITHHELD]).select_related(
            "receiver", "project"
        ):
            written += outbox_resend(user=request.user, receiver=item.receiver, project=item.project, item=item)
        self.message_user(
            request, _("%(count)d records written to the outbox again.") % {"count": written}, messages.SUCCESS
        )
