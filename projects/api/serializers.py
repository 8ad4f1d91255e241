"""Input and output shapes of the registry API (integration API, /api/schema/). Domain checks live in the
services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.choices import (
    AttachmentKind,
    Category,
    EnterpriseKind,
    ParticipantRole,
    ProjectStatus,
    StatusOnDay,
    StatusRequestKind,
)
from projects.models import (
    Engagement,
    Enterprise,
    Project,
    ProjectParticipant,
    ProjectStatusChange,
    Region,
    StatusRequest,
    StatusRequestAttachment,
    User,
)
from projects.scope import scope_of
from projects.selectors import status_today


class RegionRefField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(slug_field="code", **kwargs)


class EnterpriseRefField(serializers.SlugRelatedField):
    default_error_messages = {"does_not_exist": _("No enterprise is registered with credit code {value}.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Enterprise.objects.all())
        super().__init__(slug_field="uscc", **kwargs)


class RegionSerializer(serializers.ModelSerializer):
    parent = RegionRefField(required=False, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]
        read_only_fields = ["level"]
        extra_kwargs = {"code": {"validators": []}}


class EnterpriseSerializer(serializers.ModelSerializer):
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=EnterpriseKind.choices), min_length=1)
    # 诚信信息: the complaints naming the firm (projects.selectors.enterprises_with_complaints), read-only.
    complaints_total = serializers.IntegerField(read_only=True)
    complaints_upheld = serializers.IntegerField(read_only=True)
    complaints_not_upheld = serializers.IntegerField(read_only=True)
    complaints_open = serializers.IntegerField(read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "kinds",
            "complaints_total",
            "complaints_upheld",
            "complaints_not_upheld",
            "complaints_open",
        ]
        extra_kwargs = {"uscc": {"validators": []}}


class ParticipantSerializer(serializers.Serializer):
    uscc = EnterpriseRefField(source="enterprise")
    role = serializers.ChoiceField(choices=ParticipantRole.choices)


class ParticipantOutSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc")
    name = serializers.CharField(source="enterprise.name")

    class Meta:
        model = ProjectParticipant
        fields = ["uscc", "name", "role"]


class ProjectSerializer(serializers.ModelSerializer):
    district = RegionRefField()
    participants = ParticipantSerializer(many=True, min_length=1)
    required_positions = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    building_area_m2 = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=False)
    contract_cost_yuan = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, coerce_to_string=False)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)

    class Meta:
        model = Project
        fields = [
            "permit_no",
            "name",
            "district",
            "kind",
            "building_area_m2",
            "contract_cost_yuan",
            "filed_on",
            "permitted_on",
            "planned_start",
            "actual_start",
            "completed_on",
            "status",
            "participants",
            "required_positions",
            "address",
            "lat",
            "lon",
        ]
        extra_kwargs = {"permit_no": {"validators": []}}


class ProjectOutSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    start = serializers.SerializerMethodField(
        help_text="The start in force: the permit's planned start, or the date "
        "of the latest approved start-date change."
    )
    status_today = serializers.SerializerMethodField()
    district_name = serializers.CharField(source="district.name")
    participants = ParticipantOutSerializer(many=True)
    in_scope = serializers.BooleanField()

    @extend_schema_field(serializers.ChoiceField(choices=StatusOnDay.choices))
    def get_status_today(self, project: Project) -> str:
        """在建/停工/… today as every page counts it (``status`` is the last approval's record)."""
        if hasattr(project, "status_today"):
            return project.status_today
        return status_today(project)

    @extend_schema_field(serializers.DateField())
    def get_start(self, project: Project):
        return getattr(project, "start_on", None) or project.planned_start

    class Meta:
        model = Project
        fields = [
            "permit_no",
            "name",
            "district",
            "district_name",
            "kind",
            "building_area_m2",
            "contract_cost_yuan",
            "filed_on",
            "permitted_on",
            "planned_start",
            "start",
            "actual_start",
            "completed_on",
            "attendance_stopped_on",
            "manager_attendance_stopped_on",
            "status",
            "status_today",
            "in_scope",
            "participants",
            "required_positions",
            "address",
            "lat",
            "lon",
        ]


class EngagementInSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    employer = EnterpriseRefField()
    category = serializers.ChoiceField(choices=Category.choices)
    position = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    team = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    trade = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    entered_on = serializers.DateField()
    contract_signed_on = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="The worker's own mobile (his one-time codes for reading his records go there); shown masked.",
    )


class EngagementCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())


class EngagementSerializer(serializers.ModelSerializer):
    """ID numbers masked, as in every answer (the integration API, its OpenAPI schema at /api/schema/)."""

    name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.id_number_masked")
    gender = serializers.CharField(source="person.gender")
    birth_year = serializers.IntegerField(source="person.birth_year")
    employer = serializers.CharField(source="employer.uscc")
    employer_name = serializers.CharField(source="employer.name")
    project = serializers.CharField(source="project.permit_no")

    class Meta:
        model = Engagement
        fields = [
            "id",
            "project",
            "name",
            "id_number",
            "gender",
            "birth_year",
            "employer",
            "employer_name",
            "category",
            "position",
            "team",
            "trade",
            "entered_on",
            "contract_signed_on",
            "phone_masked",
            "exited_on",
            "settlement_confirmed",
            "card_checked_at",
            "card_check_received_at",
            "card_valid_until",
        ]


class EngagementExitSerializer(serializers.Serializer):
    exited_on = serializers.DateField()
    settlement_confirmed = serializers.BooleanField()


class IdNumberSerializer(serializers.Serializer):
    engagement = serializers.IntegerField()
    id_number = serializers.CharField()


class StatusRequestInSerializer(serializers.Serializer):
    project = serializers.SlugRelatedField(slug_field="permit_no", queryset=Project.objects.all())
    kind = serializers.ChoiceField(choices=StatusRequestKind.choices)
    reason = serializers.CharField(max_length=2000)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)
    vendor = EnterpriseRefField(required=False, allow_null=True)
    position = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A replacement: the position the permit requires."),
    )
    replaced = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A replacement: the engagement of the holder replaced."),
    )
    replacement = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("A replacement: the engagement of the new holder.")
    )


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusRequestAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class AttachmentInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    file = serializers.FileField()


class StatusRequestSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no")
    vendor = serializers.CharField(source="vendor.uscc", allow_null=True, default=None)
    submitted_by = serializers.CharField(source="submitted_by.username")
    district_decided_by = serializers.CharField(source="district_decided_by.username", allow_null=True, default=None)
    city_decided_by = serializers.CharField(source="city_decided_by.username", allow_null=True, default=None)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = StatusRequest
        fields = [
            "id",
            "project",
            "kind",
            "reason",
            "effective_from",
            "effective_to",
            "vendor",
            "position",
            "replaced",
            "replacement",
            "switched_on",
            "state",
            "takes_effect_on",
            "retroactive",
            "submitted_by",
            "submitted_at",
            "district_decided_by",
            "district_decided_at",
            "district_comment",
            "city_decided_by",
            "city_decided_at",
            "city_comment",
            "attachments",
        ]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    retroactive = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The city only, with a comment saying why: the request takes effect on its requested date "
            "instead of the approval's."
        ),
    )


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)
    approved = serializers.BooleanField()

    class Meta:
        model = ProjectStatusChange
        fields = ["id", "field", "old_value", "new_value", "changed_at", "changed_by", "status_request", "approved"]


class MeSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    enterprise = serializers.CharField(source="enterprise.uscc", allow_null=True, default=None)
    can_view_full_id_numbers = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "role", "district", "enterprise", "phone", "can_view_full_id_numbers"]

    def get_can_view_full_id_numbers(self, user: User) -> bool:
        return scope_of(user).may_reveal_id_numbers()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The new token, shown once: only its digest is stored.")
    expiry = serializers.DateTimeField()
