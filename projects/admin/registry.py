"""Admin pages of the registry, in Chinese, each page cut to the account's scope (projects.scope)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.admin.base import ReadOnlyAdminMixin, ScopedAdmin, ScopedInline
from projects.admin.words import NO_WARNINGS, PositionWordsMixin, listed
from projects.choices import CodeTable
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
)
from projects.scope import scope_of
from projects.selectors import position_choices
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    """Each level registers and changes the regions below its own: a province its cities, a city its
    districts (and their towns); nobody moves a region under a parent it does not govern."""

    list_display = ["code", "name", "level", "parent", "complaint_phone"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Region.objects.restrict(request.user, "add")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "parent" and field is not None and not scope_of(request.user).governs_platform:
            field.required = True  # a region without a parent is the operator's to register
        return field


@admin.register(ReferenceCode)
class ReferenceCodeAdmin(ScopedAdmin):
    list_display = ["table", "code", "national_code", "name", "sort_order", "active"]
    list_filter = ["table", "active"]
    search_fields = ["code", "name"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["name", "uscc", "is_owner", "is_contractor", "is_subcontractor", "is_supervisor", "is_vendor"]
    list_filter = ["is_owner", "is_contractor", "is_subcontractor", "is_supervisor", "is_vendor"]
    search_fields = ["name", "uscc"]


class ParticipantInline(ScopedInline, admin.TabularInline):
    model = ProjectParticipant
    extra = 0
    autocomplete_fields = ["enterprise"]


class ChangedFieldFilter(admin.SimpleListFilter):
    title = _("field")
    parameter_name = "field"

    def lookups(self, request, model_admin):
        fields = ProjectStatusChange.objects.values_list("field", flat=True).distinct().order_by("field")
        return [(field, ProjectStatusChange.name_of(field)) for field in fields]

    def queryset(self, request, queryset):
        return queryset.filter(field=self.value()) if self.value() else queryset


class PositionFilter(admin.SimpleListFilter):
    title = _("position")
    parameter_name = "position"

    def lookups(self, request, model_admin):
        return position_choices()

    def queryset(self, request, queryset):
        return queryset.filter(position=self.value()) if self.value() else queryset


class StatusChangeInline(ScopedInline, admin.TabularInline):
    model = ProjectStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["field_name", "old_value", "new_value", "changed_at", "changed_by", "status_request"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("field"))
    def field_name(self, obj: ProjectStatusChange) -> str:
        return obj.field_name


@admin.register(Project)
class ProjectAdmin(PositionWordsMixin, ScopedAdmin):
    positions_fields = ("required_positions",)
    list_display = ["permit_no", "name", "district", "kind", "status", "planned_start", "actual_start"]
    list_filter = ["status", "kind", "district"]
    search_fields = ["permit_no", "name"]
    inlines = [ParticipantInline, StatusChangeInline]
    list_select_related = ["district"]

    def save_model(self, request, obj, form, change):
        # A change here bypasses the approval workflow: it is recorded without a request (rule R05).
        with transaction.atomic():
            obj.save(changed_by=request.user)
            self.check_saved(request, obj)


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "id_number_masked", "gender", "birth_year"]
    search_fields = ["name"]
    readonly_fields = ["id_number_masked", "gender", "birth_year", "warnings", "reveal_link"]
    exclude = ["id_number_encrypted", "id_number_digest", "id_number_warnings"]

    @admin.display(description=_("ID number warnings"))
    def warnings(self, obj: Person) -> str:
        return listed(obj.id_number_warnings, empty=str(NO_WARNINGS))

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
        if not scope_of(request.user).may_reveal_id_numbers():
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
        context = {
            **self.admin_site.each_context(request),
            "person": person,
            "number": person.reveal_id_number(),
            "title": _("Full ID number"),
        }
        response = TemplateResponse(request, "admin/projects/person/reveal.html", context)
        add_never_cache_headers(response)  # no-store: not kept by the browser either
        return response


@admin.register(Engagement)
class EngagementAdmin(PositionWordsMixin, ScopedAdmin):
    list_display = ["person", "project", "employer", "category", "position_name", "trade", "entered_on", "exited_on"]
    list_filter = ["category", PositionFilter]
    position_fields = ("position",)
    search_fields = ["person__name", "project__permit_no", "project__name"]
    list_select_related = ["person", "project", "employer"]
    raw_id_fields = ["person", "project", "employer"]

    def get_queryset(self, request):
        names = ReferenceCode.objects.filter(table=CodeTable.POSITION, code=OuterRef("position")).values("name")[:1]
        return super().get_queryset(request).annotate(position_label=Subquery(names))  # one query for the list

    @admin.display(description=_("position"), ordering="position")
    def position_name(self, obj: Engagement) -> str:
        return obj.position_label or obj.position or "—"


class AttachmentInline(ScopedInline, admin.TabularInline):
    model = StatusRequestAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StatusRequest)
class StatusRequestAdmin(PositionWordsMixin, ScopedAdmin):
    position_fields = ("position",)
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


@admin.register(ProjectStatusChange)
class ProjectStatusChangeAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["project", "field_name", "old_value", "new_value", "changed_at", "changed_by", "status_request"]
    list_filter = [ChangedFieldFilter]
    search_fields = ["project__permit_no"]
    exclude = ["field"]
    readonly_fields = ["field_name"]

    @admin.display(description=_("field"), ordering="field")
    def field_name(self, obj: ProjectStatusChange) -> str:
        return obj.field_name


@admin.register(IdentityConflict)
class IdentityConflictAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Read-only: staff mark a conflict reviewed on the district's page."""

    list_display = ["at", "project", "person", "offered_name", "offered_by", "reviewed_at"]
    list_select_related = ["project", "person", "offered_by"]
