"""Input and output shapes of the enforcement API. Domain checks live in the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from inspections.choices import CampaignPhase, InspectionKind, MeasureKind, finding_categories
from inspections.models import (
    Campaign,
    Case,
    CaseEvent,
    CreditRecord,
    DeviceTest,
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    Measure,
    MeasureDocument,
    RandomDraw,
    RectificationReply,
)
from projects.api.serializers import EnterpriseRefField, RegionRefField
from projects.models import Person


class _Username(serializers.CharField):
    def __init__(self, source: str, **kwargs):
        super().__init__(source=f"{source}.username", read_only=True, allow_null=True, default=None, **kwargs)


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionFinding
        fields = ["id", "category", "description", "case"]
        read_only_fields = ["id", "case"]


class DeviceTestSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="device.serial")
    passed = serializers.BooleanField(read_only=True)

    class Meta:
        model = DeviceTest
        fields = ["serial", "refuses_photo", "refuses_video", "passed", "note"]


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionPhoto
        fields = ["id", "caption", "content_type", "size", "sha256", "uploaded_at"]


class InspectionSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no")
    recorded_by = _Username("recorded_by")
    findings = FindingSerializer(many=True, read_only=True)
    device_tests = DeviceTestSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "project",
            "kind",
            "day",
            "inspectors",
            "headcount",
            "notes",
            "campaign",
            "draw",
            "findings",
            "device_tests",
            "photos",
            "recorded_by",
            "recorded_at",
        ]


class FindingInSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=finding_categories())
    description = serializers.CharField(max_length=2000)


class DeviceTestInSerializer(serializers.Serializer):
    serial = serializers.CharField(max_length=64)
    refuses_photo = serializers.BooleanField()
    refuses_video = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class InspectionInSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=64, help_text=_("The project's permit number."))
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    day = serializers.DateField()
    inspectors = serializers.CharField(max_length=200)
    headcount = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True)
    notes = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    findings = FindingInSerializer(many=True, required=False, default=list, max_length=100)
    device_tests = DeviceTestInSerializer(many=True, required=False, default=list, max_length=100)
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    draw = serializers.PrimaryKeyRelatedField(queryset=RandomDraw.objects.all(), required=False, allow_null=True)


class PhotoInSerializer(serializers.Serializer):
    file = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureDocument
        fields = ["id", "original_name", "content_type", "size", "sha256", "reply", "uploaded_at"]


class ReplySerializer(serializers.ModelSerializer):
    submitted_by = _Username("submitted_by")
    reviewed_by = _Username("reviewed_by")
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationReply
        fields = [
            "id",
            "measure",
            "text",
            "state",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "documents",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="case.project.permit_no", read_only=True)
    target_enterprise = serializers.CharField(source="target_enterprise.uscc", allow_null=True, default=None)
    target_enterprise_name = serializers.CharField(source="target_enterprise.name", allow_null=True, default=None)
    target_person = serializers.SerializerMethodField()
    issued_by = _Username("issued_by")
    replies = ReplySerializer(many=True, read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "case",
            "project",
            "kind",
            "state",
            "basis",
            "issued_on",
            "issuing_body",
            "document_no",
            "deadline",
            "points",
            "fine_yuan",
            "target_enterprise",
            "target_enterprise_name",
            "target_person",
            "note",
            "escalated_from",
            "issued_by",
            "created_at",
            "closed_at",
            "documents",
            "replies",
        ]

    def get_documents(self, measure: Measure) -> list[dict]:
        return DocumentSerializer([d for d in measure.documents.all() if d.reply_id is None], many=True).data

    def get_target_person(self, measure: Measure) -> str | None:
        """The person concerned, by name to a reader whose people scope holds them; a firm never reads the
        name of another firm's staff (null)."""
        if measure.target_person_id is None:
            return None
        user = self.context.get("user") or getattr(self.context.get("request"), "user", None)
        known = self.context.setdefault("_people_known", {})
        if measure.target_person_id not in known:
            # Asked once for every measure of the list being written out (one query, not one a row).
            batch = {measure.target_person_id}
            if isinstance(self.parent, serializers.ListSerializer) and self.parent.instance is not None:
                batch |= {m.target_person_id for m in self.parent.instance if m.target_person_id}
            hits = set(Person.objects.restrict(user, "view").filter(pk__in=batch).values_list("pk", flat=True))
            known.update({pk: pk in hits for pk in batch})
        return measure.target_person.name if known[measure.target_person_id] else None


class MeasureInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    issued_on = serializers.DateField()
    basis = serializers.ChoiceField(choices=finding_categories(), required=False, default="", allow_blank=True)
    issuing_body = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)
    document_no = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    points = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True, default=None)
    fine_yuan = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    # Unknown ones answer as ones of another jurisdiction do (services.measures._check_targets).
    target_enterprise = EnterpriseRefField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("No enterprise of this case's project has this credit code.")},
    )
    target_person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("Nobody engaged on this case's project has this id.")},
    )
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class ConfirmSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    document_no = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    fine_yuan = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ReplyInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=10)


class DocumentInSerializer(serializers.Serializer):
    file = serializers.FileField()


class CaseEventSerializer(serializers.ModelSerializer):
    by = _Username("by")

    class Meta:
        model = CaseEvent
        fields = ["at", "action", "measure", "note", "by"]


class CaseSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.permit_no")
    district = serializers.CharField(source="project.district.code")
    opened_by = _Username("opened_by")
    closed_by = _Username("closed_by")
    alerts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "project",
            "district",
            "title",
            "state",
            "alerts",
            "findings",
            "opened_by",
            "opened_at",
            "closed_by",
            "closed_at",
            "closing_note",
        ]


class CaseDetailSerializer(CaseSerializer):
    measures = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "measures", "events"]

    def get_measures(self, case: Case) -> list[dict]:
        return MeasureSerializer(self.context["measures"], many=True).data


class CaseInSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    alerts = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )
    findings = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )


class AttachInSerializer(serializers.Serializer):
    alerts = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )
    findings = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )


class CreditRecordSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.uscc", allow_null=True, default=None)
    enterprise_name = serializers.CharField(source="enterprise.name", allow_null=True, default=None)
    person = serializers.CharField(source="person.name", allow_null=True, default=None)

    class Meta:
        model = CreditRecord
        fields = ["id", "enterprise", "enterprise_name", "person", "measure", "day", "points", "scored", "reason"]


class PhaseSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=CampaignPhase.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class CampaignSerializer(serializers.ModelSerializer):
    districts = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "starts_on", "ends_on", "districts", "phases", "created_at"]


class CampaignInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    districts = serializers.ListField(child=RegionRefField(), min_length=1, max_length=100)
    phases = PhaseSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    district = serializers.CharField()
    district_name = serializers.CharField()
    active_projects = serializers.IntegerField()
    inspected_projects = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)


class DrawSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code")
    drawn_by = _Username("drawn_by")

    class Meta:
        model = RandomDraw
        fields = [
            "id",
            "district",
            "campaign",
            "size",
            "seed",
            "candidates",
            "drawn",
            "inspector_pool",
            "inspectors",
            "drawn_by",
            "drawn_at",
        ]


class DrawInSerializer(serializers.Serializer):
    district = RegionRefField()
    size = serializers.IntegerField(min_value=1, max_value=200)
    seed = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    inspector_pool = serializers.ListField(
        child=serializers.CharField(max_length=32, allow_blank=True), max_length=100, required=False, default=list
    )
    inspector_count = serializers.IntegerField(min_value=0, max_value=20, required=False, default=0)
