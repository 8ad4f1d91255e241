"""Admin pages of the registry, in Chinese, each list cut to the user's jurisdiction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects import jurisdiction
from projects.choices import Role
from projects.models import (
    Engagement,
    Enterprise,
    IdentityConflict,
    Person,
    Project,
    ProjectParticipant,
    ProjectStatusChange,
    ReferenceCode,
    Region,
    StatusRequest,
    StatusRequestAttachment,
    User,
)
from projects.services.accounts import account_jurisdiction_check
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction


class ScopedAdmin(admin.ModelAdmin):
    """Every admin list shows only the user's jurisdiction (projects.jurisdiction)."""

    def scope(self, request: HttpRequest, queryset):
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest):
        return self.scope(request, super().get_queryset(request))


class ReadOnlyAdminMixin:
    """Records written by the platform itself (history, punches): shown, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(ReferenceCode)
class ReferenceCodeAdmin(admin.ModelAdmin):
    list_display = ["table", "code", "national_code", "name", "sort_order", "active"]
    list_filter = ["table", "active"]
    search_fields = ["code", "name"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["name", "uscc", "is_owner", "is_contractor", "is_subcontractor", "is_supervisor", "is_vendor"]
    list_filter = ["is_owner", "is_contractor", "is_subcontractor", "is_supervisor", "is_vendor"]
    search_fields = ["name", "uscc"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=jurisdiction.enterprises_for(request.user).values("pk"))


class ParticipantInline(admin.TabularInline):
    model = ProjectParticipant
    extra = 0
    autocomplete_fields = ["enterprise"]


class StatusChangeInline(admin.TabularInline):
    model = ProjectStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["field", "old_value", "new_value", "changed_at", "changed_by", "status_request"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ScopedAdmin):
    list_display = ["permit_no", "name", "district", "kind", "status", "planned_start", "actual_start"]
    list_filter = ["status", "kind", "district"]
    search_fields = ["permit_no", "name"]
    inlines = [ParticipantInline, StatusChangeInline]
    list_select_related = ["district"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=jurisdiction.projects_for(request.user).values("pk"))

    def save_model(self, request, obj, form, change):
        # A change here bypasses the approval workflow: it is recorded without a request (rule R05).
        obj.save(changed_by=request.user)


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "id_number_masked", "gender", "birth_year"]
    search_fields = ["name"]
    readonly_fields = ["id_number_masked", "gender", "birth_year", "id_number_warnings", "reveal_link"]
    exclude = ["id_number_encrypted", "id_number_digest"]

    def scope(self, request, queryset):
        visible = jurisdiction.engagements_for(request.user).values("person_id")
        return queryset.filter(pk__in=visible)

    def has_add_permission(self, request):
        # People are registered through engagements, where the ID number is checked and encrypted.
        return False

    @admin.display(description=_("Full ID number"))
    def reveal_link(self, obj: Person):
        if obj.pk is None:
            return ""
        url = reverse("admin:projects_person_reveal", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Show the full number (logged)"))

    def get_urls(self):
        urls = super().get_urls()
        reveal = path("<int:pk>/reveal/", self.admin_site.admin_view(self.reveal_view), name="projects_person_reveal")
        return [reveal, *urls]

    def reveal_view(self, request: HttpRequest, pk: int):
        if not request.user.has_perm("projects.view_full_id_number"):
            raise PermissionDenied
        person = self.get_queryset(request).filter(pk=pk).first()
        if person is None:
            raise PermissionDenied
        audit_event_record(
            user=request.user,
            action=AuditAction.VIEW_UNMASKED,
            what=f"查看人员{person.pk}的完整身份证号",
            record_count=1,
            request=request,
        )
        # Shown in this answer only: a flash message would carry the number in the session or a cookie.
        context = {**self.admin_site.each_context(request), "person": person, "number": person.reveal_id_number(),
                   "title": _("Full ID number")}  # fmt: skip
        response = TemplateResponse(request, "admin/projects/person/reveal.html", context)
        add_never_cache_headers(response)  # no-store: not kept by the browser either
        return response


@admin.register(Engagement)
class EngagementAdmin(ScopedAdmin):
    list_display = ["person", "project", "employer", "category", "position", "trade", "entered_on", "exited_on"]
    list_filter = ["category", "position"]
    search_fields = ["person__name", "project__permit_no", "project__name"]
    list_select_related = ["person", "project", "employer"]
    raw_id_fields = ["person", "project", "employer"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=jurisdiction.engagements_for(request.user).values("pk"))


class AttachmentInline(admin.TabularInline):
    model = StatusRequestAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StatusRequest)
class StatusRequestAdmin(ScopedAdmin):
    list_display = ["project", "kind", "state", "effective_from", "effective_to", "submitted_by", "submitted_at"]
    list_filter = ["kind", "state"]
    search_fields = ["project__permit_no", "project__name"]
    inlines = [AttachmentInline]
    list_select_related = ["project", "submitted_by"]
    readonly_fields = [
        "state",
        "submitted_by",
        "submitted_at",
        "district_decided_by",
        "district_decided_at",
        "city_decided_by",
        "city_decided_at",
    ]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=jurisdiction.status_requests_for(request.user).values("pk"))


@admin.register(ProjectStatusChange)
class ProjectStatusChangeAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["project", "field", "old_value", "new_value", "changed_at", "changed_by", "status_request"]
    list_filter = ["field"]
    search_fields = ["project__permit_no"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=jurisdiction.status_changes_for(request.user).values("pk"))


class _JurisdictionChecked:
    """The role's jurisdiction checked as create_account checks it, as a form error (never a 500 from
    the database's constraint)."""

    def clean(self):
        data = super().clean()
        try:
            account_jurisdiction_check(role=data.get("role") or "", district=data.get("district"),
                                       enterprise=data.get("enterprise"), region=data.get("region"))  # fmt: skip
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages_)
        return data


class AccountCreationForm(_JurisdictionChecked, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "role", "region", "district", "enterprise", "phone"]


class AccountChangeForm(_JurisdictionChecked, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ScopedAdmin):
    list_display = ["username", "role", "region", "district", "enterprise", "phone", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role and jurisdiction"), {"fields": ["role", "region", "district", "enterprise", "phone", "language"]}),
    ]
    # The role and its jurisdiction are chosen when the account is made: there is no default.
    add_form = AccountCreationForm
    form = AccountChangeForm
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Role and jurisdiction"), {"fields": ["role", "region", "district", "enterprise", "phone"]}),
    ]

    def scope(self, request, queryset):
        if request.user.role == Role.CITY and request.user.region_id is None:
            return queryset
        if request.user.role == Role.CITY:  # its city's staff and enterprises' accounts, and its own
            return queryset.filter(Q(pk=request.user.pk) | Q(district__parent_id=request.user.region_id)
                                   | Q(enterprise__in=jurisdiction.enterprises_for(request.user)))  # fmt: skip
        return queryset.filter(pk=request.user.pk)


@admin.register(IdentityConflict)
class IdentityConflictAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["at", "project", "person", "offered_name", "offered_by", "reviewed_at"]
    list_select_related = ["project", "person", "offered_by"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=jurisdiction.identity_conflicts_for(request.user).values("pk"))
