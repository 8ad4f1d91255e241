"""The enforcement API: inspections, cases, measures, replies, credit, campaigns, random draws.

Resources are lists with filters (django-filter); each action is one command endpoint calling one
service (the integration API's OpenAPI schema, "Inspections, cases, measures, campaigns … follow the same conventions").
"""

from __future__ import annotations

from dataclasses import asdict

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inspections import filters
from inspections.api import serializers as s
from inspections.choices import InspectionKind
from inspections.models import (
    Alert,
    Campaign,
    Case,
    CaseEvent,
    CreditRecord,
    Inspection,
    InspectionFinding,
    Measure,
    MeasureDocument,
    RandomDraw,
    RectificationReply,
)
from inspections.selectors import campaign_progress, credit_history
from inspections.services import campaigns as campaign_services
from inspections.services import cases as case_services
from inspections.services import inspections as inspection_services
from inspections.services import measures as measure_services
from inspections.services import replies as reply_services
from projects.api.body import named_project
from projects.models import Engagement, Enterprise, Region
from projects.scope import scope_of
from smz_platform.common.api import raw_field
from smz_platform.common.audit import audit_event_record
from smz_platform.common.files import file_download
from smz_platform.common.models import AuditAction


def _project(request: Request, permit_no: str):
    return named_project(user=request.user, permit_no=permit_no)


# --- Inspections -----------------------------------------------------------------------------------


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """检查记录 of the user's jurisdiction; POST records one (regulators; a supervision firm its own checks)."""

    serializer_class = s.InspectionSerializer
    filterset_class = filters.InspectionFilter

    def get_queryset(self):
        return (
            Inspection.objects.restrict(self.request.user, "view")
            .select_related("project", "recorded_by")
            .prefetch_related("findings", "device_tests__device", "photos")
        )

    @extend_schema(request=s.InspectionInSerializer, responses={201: s.InspectionSerializer})
    def create(self, request: Request) -> Response:
        # Who may record on the project named, before what is wrong with the rest of the body.
        if raw_field(request, "project"):
            project = _project(request, raw_field(request, "project"))
            supervising = raw_field(request, "kind") == InspectionKind.SUPERVISION_CHECK
            scope_of(request.user).authorize(project, "supervise" if supervising else "enforce")
        data = s.InspectionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = inspection_services.inspection_record(
            user=request.user,
            project=_project(request, v["project"]),
            kind=v["kind"],
            day=v["day"],
            inspectors=v["inspectors"],
            headcount=v.get("headcount"),
            notes=v["notes"],
            findings=[inspection_services.FindingIn(**f) for f in v["findings"]],
            device_tests=[inspection_services.DeviceTestIn(**t) for t in v["device_tests"]],
            campaign=v.get("campaign"),
            draw=v.get("draw"),
        )
        return Response(s.InspectionSerializer(self.get_queryset().get(pk=inspection.pk)).data, status=201)


class InspectionPhotoApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.PhotoInSerializer}, responses={201: s.PhotoSerializer})
    def post(self, request: Request, inspection_id: int) -> Response:
        inspection = get_object_or_404(Inspection.objects.restrict(request.user, "view"), pk=inspection_id)
        scope_of(request.user).authorize(inspection, "add_photo")  # who may, before what is wrong with the body
        data = s.PhotoInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = inspection_services.inspection_photo_add(
            user=request.user,
            inspection=inspection,
            caption=data.validated_data["caption"],
            content=data.validated_data["file"].read(),
        )
        return Response(s.PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


# --- Cases -----------------------------------------------------------------------------------------


def _case(request: Request, case_id: int):
    return get_object_or_404(Case.objects.restrict(request.user, "view").select_related("project"), pk=case_id)


def _case_detail(request: Request, case) -> dict:
    """The case as its reader may see it: of its measures those the reader reads, of its alerts and findings
    the reader's (a firm addressed by one measure reads that measure, not the case's evidence)."""
    measures = (
        Measure.objects.restrict(request.user, "view")
        .filter(case=case)
        .select_related("target_enterprise", "target_person")
        .prefetch_related("documents", "replies__documents")
    )
    case = _case_readable(request.user, detail=True).get(pk=case.pk)
    return s.CaseDetailSerializer(case, context={"measures": measures, "user": request.user}).data


def _case_readable(user, *, detail: bool = False):
    """Cases with what of them the reader reads: its alerts, findings (and, for one case, its history) cut
    to the reader's scope (set-based prefetches, one query each for a whole page)."""
    parts = [
        Prefetch("alerts", queryset=Alert.objects.restrict(user, "view")),
        Prefetch("findings", queryset=InspectionFinding.objects.restrict(user, "view")),
    ]
    if detail:
        parts.append(Prefetch("events", queryset=CaseEvent.objects.restrict(user, "view").select_related("by")))
    return (
        Case.objects.restrict(user, "view")
        .select_related("project", "project__district", "opened_by", "closed_by")
        .prefetch_related(*parts)
    )


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """查处案件 of the user's jurisdiction (the contractor and supervision firm see their project's)."""

    filterset_class = filters.CaseFilter

    def get_serializer_class(self):
        return s.CaseDetailSerializer if self.action == "retrieve" else s.CaseSerializer

    def get_queryset(self):
        return _case_readable(self.request.user)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(_case_detail(request, self.get_object()))

    @extend_schema(request=s.CaseInSerializer, responses={201: s.CaseDetailSerializer})
    def create(self, request: Request) -> Response:
        if raw_field(request, "project"):  # who may open a case here, before what is wrong with the body
            scope_of(request.user).authorize(_project(request, raw_field(request, "project")), "enforce")
        data = s.CaseInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = case_services.case_open(
            user=request.user,
            project=_project(request, v["project"]),
            title=v["title"],
            alert_ids=v["alerts"],
            finding_ids=v["findings"],
        )
        return Response(_case_detail(request, case), status=status.HTTP_201_CREATED)


class CaseAttachApi(APIView):
    @extend_schema(request=s.AttachInSerializer, responses={200: s.CaseDetailSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        scope_of(request.user).authorize(case, "handle")
        data = s.AttachInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_services.case_attach(
            user=request.user,
            case=case,
            alert_ids=data.validated_data["alerts"],
            finding_ids=data.validated_data["findings"],
        )
        return Response(_case_detail(request, case))


class CaseCloseApi(APIView):
    @extend_schema(request=s.NoteSerializer, responses={200: s.CaseDetailSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        scope_of(request.user).authorize(case, "handle")
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_services.case_close(user=request.user, case=case, note=data.validated_data["note"])
        return Response(_case_detail(request, case))


class CaseMeasureIssueApi(APIView):
    """Issue a measure in a case (a supervision firm: its supervision notice)."""

    @extend_schema(request=s.MeasureInSerializer, responses={201: s.MeasureSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        scope_of(request.user).authorize(case, "issue_notice")  # staff, or the supervision firm for its notice
        data = s.MeasureInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = measure_services.measure_issue(
            user=request.user, case=case, data=measure_services.MeasureIn(**data.validated_data)
        )
        return Response(s.MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


# --- Measures and replies --------------------------------------------------------------------------


class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """处理措施 of the user's cases, with their documents and the contractor's replies."""

    serializer_class = s.MeasureSerializer
    filterset_class = filters.MeasureFilter

    def get_queryset(self):
        return (
            Measure.objects.restrict(self.request.user, "view")
            .select_related("case", "case__project", "target_enterprise", "target_person", "issued_by")
            .prefetch_related(
                "documents",
                Prefetch(
                    "replies",
                    queryset=RectificationReply.objects.select_related("submitted_by", "reviewed_by").prefetch_related(
                        "documents"
                    ),
                ),
            )
        )


def _measure(request: Request, measure_id: int) -> Measure:
    return get_object_or_404(
        Measure.objects.restrict(request.user, "view").select_related("case__project"), pk=measure_id
    )


class MeasureConfirmApi(APIView):
    """Confirm a measure the escalation proposed (staff)."""

    @extend_schema(request=s.ConfirmSerializer, responses={200: s.MeasureSerializer})
    def post(self, request: Request, measure_id: int) -> Response:
        measure = _measure(request, measure_id)
        scope_of(request.user).authorize(measure, "handle")
        data = s.ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = measure_services.measure_confirm(user=request.user, measure=measure, **data.validated_data)
        return Response(s.MeasureSerializer(measure).data)


class MeasureWithdrawApi(APIView):
    @extend_schema(request=s.ReasonSerializer, responses={200: s.MeasureSerializer})
    def post(self, request: Request, measure_id: int) -> Response:
        measure = _measure(request, measure_id)
        scope_of(request.user).authorize(measure, "handle")
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = measure_services.measure_withdraw(
            user=request.user, measure=measure, reason=data.validated_data["reason"]
        )
        return Response(s.MeasureSerializer(measure).data)


class MeasureDocumentApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.DocumentInSerializer}, responses={201: s.DocumentSerializer})
    def post(self, request: Request, measure_id: int) -> Response:
        measure = _measure(request, measure_id)
        scope_of(request.user).authorize(measure, "add_document")
        data = s.DocumentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        document = measure_services.measure_document_add(
            user=request.user, measure=measure, name=upload.name, content=upload.read()
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class MeasureDocumentDownloadApi(APIView):
    """A document of a measure or of a reply to it, to whoever may see the measure; audit-logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="the file")})
    def get(self, request: Request, measure_id: int, document_id: int) -> FileResponse:
        measure = _measure(request, measure_id)
        document = (
            MeasureDocument.objects.restrict(request.user, "view").filter(measure=measure, pk=document_id).first()
        )
        if document is None:
            raise Http404
        audit_event_record(
            user=request.user,
            action=AuditAction.DOWNLOAD_ATTACHMENT,
            what=f"下载处理措施{measure.pk}的文书{document.pk}",
            record_count=1,
            request=request,
            project_permit_no=measure.case.project.permit_no,
        )
        return file_download(document)


class MeasureReplyApi(APIView):
    """整改回复: the contractor answers an order with a report and attachments (multipart or JSON)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": s.ReplyInSerializer}, responses={201: s.ReplySerializer})
    def post(self, request: Request, measure_id: int) -> Response:
        measure = _measure(request, measure_id)
        scope_of(request.user).authorize(measure, "reply")
        payload = {"text": request.data.get("text", "")}
        if hasattr(request.data, "getlist"):
            payload["files"] = request.data.getlist("files")
        data = s.ReplyInSerializer(data=payload)
        data.is_valid(raise_exception=True)
        reply = reply_services.reply_submit(
            user=request.user,
            measure=measure,
            text=data.validated_data["text"],
            files=[(f.name, f.read()) for f in data.validated_data["files"]],
        )
        return Response(s.ReplySerializer(reply).data, status=status.HTTP_201_CREATED)


def _reply(request: Request, reply_id: int) -> RectificationReply:
    replies = RectificationReply.objects.restrict(request.user, "view").select_related("measure__case__project")
    return get_object_or_404(replies, pk=reply_id)


def _require_reviewer(request: Request, reply: RectificationReply) -> None:
    """Who may review, before what is wrong with the body."""
    reply_services.reply_require_reviewer(user=request.user, reply=reply)


class ReplyAcceptApi(APIView):
    @extend_schema(request=s.NoteSerializer, responses={200: s.ReplySerializer})
    def post(self, request: Request, reply_id: int) -> Response:
        reply = _reply(request, reply_id)
        _require_reviewer(request, reply)
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = reply_services.reply_review(
            user=request.user, reply=reply, accept=True, note=data.validated_data["note"]
        )
        return Response(s.ReplySerializer(reply).data)


class ReplyRejectApi(APIView):
    @extend_schema(request=s.ReasonSerializer, responses={200: s.ReplySerializer})
    def post(self, request: Request, reply_id: int) -> Response:
        reply = _reply(request, reply_id)
        _require_reviewer(request, reply)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = reply_services.reply_review(
            user=request.user, reply=reply, accept=False, note=data.validated_data["reason"]
        )
        return Response(s.ReplySerializer(reply).data)


# --- Credit ----------------------------------------------------------------------------------------


class CreditRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """诚信扣分记录 of the enterprises the user can see (an enterprise: its own)."""

    serializer_class = s.CreditRecordSerializer
    filterset_class = filters.CreditRecordFilter

    def get_queryset(self):
        return CreditRecord.objects.restrict(self.request.user, "view").select_related("enterprise", "person")


class EnterpriseCreditApi(APIView):
    """An enterprise's credit score now and at the end of each of the last twelve months."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "EnterpriseCredit",
                {
                    "enterprise": serializers.CharField(),
                    "name": serializers.CharField(),
                    "score": serializers.IntegerField(),
                    "blacklisted_on": serializers.DateField(allow_null=True),
                    "history": serializers.ListField(
                        child=inline_serializer(
                            "CreditPoint", {"month": serializers.CharField(), "score": serializers.IntegerField()}
                        )
                    ),
                },
            )
        },
    )
    def get(self, request: Request, uscc: str) -> Response:
        enterprise = get_object_or_404(Enterprise.objects.restrict(request.user, "view"), uscc=uscc)
        history = credit_history(enterprise=enterprise)
        return Response(
            {
                "enterprise": enterprise.uscc,
                "name": enterprise.name,
                "score": history[-1].score,
                "blacklisted_on": enterprise.blacklisted_on,
                "history": [asdict(p) for p in history],
            }
        )


class PersonCreditApi(APIView):
    """A key person's (a project manager's, a chief supervisor's) credit score now and month by month,
    for the regulators of a project the person is engaged on; the ID number masked."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "PersonCredit",
                {
                    "person": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "id_number": serializers.CharField(),
                    "score": serializers.IntegerField(),
                    "history": serializers.ListField(
                        child=inline_serializer(
                            "PersonCreditPoint", {"month": serializers.CharField(), "score": serializers.IntegerField()}
                        )
                    ),
                },
            )
        },
    )
    def get(self, request: Request, person_id: int) -> Response:
        scope_of(request.user).require("regulate", _("Credit records of people are read by the regulators."))
        # A person may be engaged on several projects: any one in the user's jurisdiction will do.
        engagement = (
            Engagement.objects.restrict(request.user, "view")
            .filter(person_id=person_id)
            .select_related("person")
            .first()
        )
        if engagement is None:
            raise Http404
        person = engagement.person
        history = credit_history(person=person)
        return Response(
            {
                "person": person.pk,
                "name": person.name,
                "id_number": person.id_number_masked,
                "score": history[-1].score,
                "history": [asdict(p) for p in history],
            }
        )


# --- Campaigns and random draws --------------------------------------------------------------------


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """专项整治行动: the city launches; districts see the campaigns they take part in and their progress."""

    serializer_class = s.CampaignSerializer

    def get_queryset(self):
        return Campaign.objects.restrict(self.request.user, "view").prefetch_related("districts", "phases")

    @extend_schema(request=s.CampaignInSerializer, responses={201: s.CampaignSerializer})
    def create(self, request: Request) -> Response:
        scope_of(request.user).require("launch_campaign")
        data = s.CampaignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        campaign = campaign_services.campaign_create(
            user=request.user,
            name=v["name"],
            starts_on=v["starts_on"],
            ends_on=v["ends_on"],
            districts=v["districts"],
            phases=[campaign_services.PhaseIn(**p) for p in v["phases"]],
        )
        return Response(s.CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignProgressApi(APIView):
    """Progress per district: projects inspected by regulators over projects under construction."""

    @extend_schema(responses={200: s.ProgressSerializer(many=True)})
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = get_object_or_404(Campaign.objects.restrict(request.user, "view"), pk=campaign_id)
        return Response(s.ProgressSerializer(campaign_progress(campaign=campaign, user=request.user), many=True).data)


class RandomDrawViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """双随机抽查: POST draws; every draw keeps its seed and weighted candidates for audit."""

    serializer_class = s.DrawSerializer
    filterset_class = filters.DrawFilter

    def get_queryset(self):
        return RandomDraw.objects.restrict(self.request.user, "view").select_related("district", "drawn_by")

    @extend_schema(request=s.DrawInSerializer, responses={201: s.DrawSerializer})
    def create(self, request: Request) -> Response:
        district = Region.objects.filter(code=raw_field(request, "district", 12)).first()
        if district is not None:  # who may draw there, before what is wrong with the body
            scope_of(request.user).authorize(district, "draw")
        else:
            scope_of(request.user).require("act")
        data = s.DrawInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draw = campaign_services.random_draw_make(user=request.user, **data.validated_data)
        return Response(s.DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class RandomDrawVerifyApi(APIView):
    """Re-run a draw from its recorded seed and candidates."""

    @extend_schema(
        parameters=[OpenApiParameter("draw_id", int, OpenApiParameter.PATH)],
        responses={
            200: inline_serializer(
                "DrawVerification", {"draw": serializers.IntegerField(), "reproduced": serializers.BooleanField()}
            )
        },
    )
    def get(self, request: Request, draw_id: int) -> Response:
        draw = get_object_or_404(RandomDraw.objects.restrict(request.user, "view"), pk=draw_id)
        return Response({"draw": draw.pk, "reproduced": campaign_services.random_draw_verify(draw=draw)})
