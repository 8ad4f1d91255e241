from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from inspections.choices import MeasureKind
from inspections.forms import PolicyChangeForm
from inspections.models import (
    Alert,
    Campaign,
    CampaignPhaseDates,
    Case,
    CaseEvent,
    CreditDeduction,
    CreditRecord,
    DeviceTest,
    ExportGrant,
    Inspection,
    InspectionFinding,
    Measure,
    NightlyRun,
    Policy,
    PolicyVersion,
    RandomDraw,
    RectificationReply,
    RuleRun,
)
from inspections.presets import PRESETS
from inspections.rules import registry, rule
from inspections.rules.evidence import evidence_rows
from inspections.services.policies import policy_change
from projects.admin import ReadOnlyAdminMixin, ScopedAdmin, ScopedInline
from projects.admin.words import PositionWordsMixin, listed
from projects.choices import ParticipantRole


def _preset_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, (label, _values) in PRESETS.items()]


class PresetFilter(admin.SimpleListFilter):
    title = _("preset")
    parameter_name = "preset"

    def lookups(self, request, model_admin):
        return _preset_choices()

    def queryset(self, request, queryset):
        return queryset.filter(preset=self.value()) if self.value() else queryset


class PolicyAdminForm(PolicyChangeForm):
    """The policy page's form with what a policy is besides its settings; its name alone may change."""

    require_change = False

    class Meta(PolicyChangeForm.Meta):
        fields = "__all__"


@admin.register(Policy)
class PolicyAdmin(PositionWordsMixin, ScopedAdmin):
    """A city sets its own policy and its districts' overrides (projects.scope); the platform-wide one is the
    operator's (and a one-city deployment's city account's)."""

    list_display = ["name", "preset_name", "district", "in_force", "go_live", "r11_key_ratio", "r16_worker_rate"]
    list_filter = ["in_force", PresetFilter]
    positions_fields = ("r11_key_positions",)
    form = PolicyAdminForm

    def save_model(self, request, obj, form, change):
        """A change of the settings is a version (inspections.services.policies), as on the policy page;
        what the policy is (its name, region, whether in force) is saved as it is."""
        if not change or not form.settings_changed():
            return super().save_model(request, obj, form, change)
        stored = Policy.objects.get(pk=obj.pk)
        policy_change(
            user=request.user,
            policy=stored,
            values=form.draft_values(),
            effective_from=form.cleaned_data["effective_from"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        Policy.objects.filter(pk=obj.pk).update(
            name=obj.name, preset=obj.preset, district=obj.district, in_force=obj.in_force
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "preset":  # the notice's name, not the preset's code
            return forms.ChoiceField(
                label=db_field.verbose_name, required=False, choices=[("", "—"), *_preset_choices()]
            )
        if db_field.name == "managers_judged_roles":  # the firms' roles as boxes, by their names
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name,
                required=False,
                choices=ParticipantRole.choices,
                widget=forms.CheckboxSelectMultiple,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or self.has_change_permission(request, obj):
            return fields
        return ["judged_roles_words" if name == "managers_judged_roles" else name for name in fields]

    @admin.display(description=_("managers are judged when their firm is one of"))
    def judged_roles_words(self, obj: Policy) -> str:
        return listed(
            [ParticipantRole(r).label for r in obj.managers_judged_roles if r in ParticipantRole.values],
            empty=_("every firm"),
        )

    @admin.display(description=_("preset"), ordering="preset")
    def preset_name(self, obj: Policy) -> str:
        return PRESETS[obj.preset][0] if obj.preset in PRESETS else (obj.preset or "—")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """A policy's versions are written by its changes (the policy page, the policy's admin page), never here."""

    list_display = ["policy", "effective_from", "reason", "created_by", "created_at"]
    list_filter = ["policy"]


class RuleFilter(admin.SimpleListFilter):
    """The rules of the registry, by their names."""

    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(spec.code, f"{spec.code} {spec.label}") for spec in registry()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


@admin.display(description=_("rule"), ordering="rule")
def rule_name(obj) -> str:
    return f"{obj.rule} {rule(obj.rule).label}"


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Alerts are triaged through the API and the dashboard, where every change records who and why."""

    list_display = [rule_name, "project", "subject", "period_start", "period_end", "state", "scored", "last_seen"]
    list_filter = [RuleFilter, "state", "scored"]
    search_fields = ["project__permit_no", "project__name", "subject"]
    list_select_related = ["project"]
    exclude = ["evidence", "key"]  # the evidence in words below, as the alert's page says it
    readonly_fields = ["evidence_text"]

    @admin.display(description=_("evidence"))
    def evidence_text(self, alert: Alert):
        return format_html_join(mark_safe("<br>"), "{}：{}", evidence_rows(alert.evidence))


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = [
        "day",
        rule_name,
        "part",
        "started_at",
        "duration_ms",
        "findings",
        "new_alerts",
        "updated_alerts",
        "resolved_alerts",
    ]
    list_filter = [RuleFilter]


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Each night's run of the rules and its parts (a district and stage each): whether each completed,
    how often it was attempted."""

    list_display = ["day", "part", "state", "attempts", "started_at", "heartbeat_at", "finished_at"]
    list_filter = ["state"]
    exclude = ["token"]


@admin.register(ExportGrant)
class ExportGrantAdmin(ScopedAdmin):
    """Export grants are the city's to give, for its own projects and the accounts it manages (projects.scope)."""

    list_display = ["user", "purpose", "project", "valid_from", "valid_to", "approved_by"]
    raw_id_fields = ["user", "project", "approved_by"]


# --- Enforcement: shown in the admin, changed only through the API and the dashboard, where every
# change goes through a service that records who and when (CaseEvent).


class FindingInline(ScopedInline, admin.TabularInline):
    model = InspectionFinding
    extra = 0
    fields = ["category", "description", "case"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DeviceTestInline(FindingInline):
    model = DeviceTest
    fields = ["device", "refuses_photo", "refuses_video", "note"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["day", "kind", "project", "inspectors", "headcount", "campaign", "recorded_by"]
    list_filter = ["kind", "campaign"]
    search_fields = ["project__permit_no", "project__name", "inspectors"]
    list_select_related = ["project", "campaign", "recorded_by"]
    inlines = [FindingInline, DeviceTestInline]
    date_hierarchy = "day"


class MeasureInline(FindingInline):
    model = Measure
    fields = ["kind", "state", "basis", "issued_on", "deadline", "issuing_body", "points", "fine_yuan"]
    readonly_fields = fields


class CaseEventInline(FindingInline):
    model = CaseEvent
    fields = ["at", "action_name", "measure", "by", "note"]
    readonly_fields = fields

    @admin.display(description=_("action"))
    def action_name(self, event: CaseEvent) -> str:
        return event.action_name


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["title", "project", "state", "opened_by", "opened_at", "closed_at"]
    list_filter = ["state"]
    search_fields = ["project__permit_no", "project__name", "title"]
    list_select_related = ["project", "opened_by"]
    inlines = [MeasureInline, CaseEventInline]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["kind", "state", "case", "basis", "issued_on", "deadline", "target_enterprise", "fine_yuan"]
    list_filter = ["kind", "state", "basis"]
    search_fields = ["case__project__permit_no", "case__project__name", "document_no"]
    list_select_related = ["case__project", "target_enterprise"]


@admin.register(RectificationReply)
class RectificationReplyAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["measure", "state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["state"]


@admin.register(CreditDeduction)
class CreditDeductionAdmin(ScopedAdmin):
    """The deduction table: platform-wide, the operator's to set (projects.scope)."""

    list_display = ["basis", "code_name", "points"]
    list_filter = ["basis"]
    list_editable = ["points"]

    @admin.display(description=_("what it is for"))
    def code_name(self, row: CreditDeduction) -> str:
        """The finding category's or the measure's name (the code alone is the platform's)."""
        if row.code in MeasureKind.values:
            return str(MeasureKind(row.code).label)
        try:
            return rule(row.code).name
        except KeyError:
            return "—"


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["day", "enterprise", "person", "points", "scored", "reason"]
    list_filter = ["scored"]
    search_fields = ["enterprise__name", "enterprise__uscc", "reason"]
    list_select_related = ["enterprise", "person"]


class PhaseInline(FindingInline):
    model = CampaignPhaseDates
    fields = ["phase", "starts_on", "ends_on"]
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["name", "starts_on", "ends_on", "created_by"]
    inlines = [PhaseInline]


@admin.register(RandomDraw)
class RandomDrawAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["district", "size", "seed", "drawn_by", "drawn_at"]
    list_filter = ["district"]
    # The draw's lists in words (the re-run checks them: inspections.services.campaigns.random_draw_verify).
    fields = [
        "district",
        "campaign",
        "size",
        "seed",
        "candidates_text",
        "drawn_text",
        "pool_text",
        "inspectors_text",
        "drawn_by",
        "drawn_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("candidates and weights"))
    def candidates_text(self, obj: RandomDraw) -> str:
        return listed(f"{permit_no}（{weight}）" for permit_no, weight in obj.candidates)

    @admin.display(description=_("projects drawn (permit numbers)"))
    def drawn_text(self, obj: RandomDraw) -> str:
        return listed(obj.drawn)

    @admin.display(description=_("inspector pool"))
    def pool_text(self, obj: RandomDraw) -> str:
        return listed(obj.inspector_pool)

    @admin.display(description=_("inspectors drawn"))
    def inspectors_text(self, obj: RandomDraw) -> str:
        return listed(obj.inspectors)
