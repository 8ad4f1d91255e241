from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from devices.models import Device, DeviceFlip, VendorPlatform
from devices.services import vendor_platform_register
from projects.admin import ScopedAdmin, ScopedInline
from projects.models import Enterprise


class DeviceFlipInline(ScopedInline, admin.TabularInline):
    """The device's history: each change of online state and liveness setting."""

    model = DeviceFlip
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "field", "value_text", "detected_at"]
    ordering = ["-at"]

    @admin.display(description=_("new value"))
    def value_text(self, flip: DeviceFlip) -> str:
        return flip.value_text

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(ScopedAdmin):
    inlines = [DeviceFlipInline]
    exclude = ["secret_encrypted"]
    list_display = [
        "serial",
        "project",
        "vendor",
        "kind",
        "connection",
        "location",
        "state",
        "online",
        "liveness_enabled",
        "last_heartbeat_at",
    ]
    list_filter = ["kind", "connection", "state", "online", "liveness_enabled"]
    search_fields = ["serial", "project__permit_no", "project__name"]
    list_select_related = ["project", "vendor"]
    raw_id_fields = ["project", "vendor", "registered_by"]


class VendorPlatformForm(forms.ModelForm):
    class Meta:
        model = VendorPlatform
        fields = ["vendor", "state"]

    def clean_vendor(self):
        vendor = self.cleaned_data["vendor"]
        if not self.instance.pk and vendor.blacklisted_on is not None:
            raise ValidationError(
                _("%(name)s is on the vendor blacklist; it connects nothing new.") % {"name": vendor.name}
            )
        return vendor


@admin.register(VendorPlatform)
class VendorPlatformAdmin(ScopedAdmin):
    """平台对接: the city registers a vendor's platform; its key and secret are shown once, on the page after."""

    form = VendorPlatformForm

    list_display = ["key", "vendor", "state", "registered_at", "registered_by"]
    list_filter = ["state"]
    search_fields = ["key", "vendor__name", "vendor__uscc"]

    def get_fields(self, request, obj=None):
        return ["vendor"] if obj is None else ["vendor", "key", "state", "registered_at", "registered_by"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["vendor", "key", "registered_at", "registered_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "vendor":
            kwargs["queryset"] = Enterprise.objects.filter(is_vendor=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        registered = vendor_platform_register(user=request.user, vendor=obj.vendor)
        obj.pk, obj.key = registered.platform.pk, registered.platform.key
        obj._state.adding = False
        self.message_user(
            request,
            _("Platform key %(key)s, secret %(secret)s: give both to the vendor now; the secret is not shown again.")
            % {"key": registered.platform.key, "secret": registered.secret},
            messages.WARNING,
        )
