"""Registry API (integration API, /api/schema/): resource lists with filters, one view per command."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import filters, selectors
from projects.api import serializers as s
from projects.api.body import named_project
from projects.models import Engagement, Enterprise, Region
from projects.scope import scope_of
from projects.services import people, registry
from projects.services import status as status_services
from projects.services.accounts import token_rotate
from smz_platform.common.api import raw_field
from smz_platform.common.audit import audit_event_record
from smz_platform.common.files import file_download
from smz_platform.common.models import AuditAction


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Regions (GB/T 2260): reference data every account may read; the city registers them."""

    serializer_class = s.RegionSerializer
    filterset_class = filters.RegionFilter
    lookup_field = "code"

    def get_queryset(self):
        return Region.objects.restrict(self.request.user, "view").select_related("parent")

    @extend_schema(request=s.RegionSerializer, responses={201: s.RegionSerializer})
    def create(self, request: Request) -> Response:
        scope = scope_of(request.user)
        parent = Region.objects.filter(code=raw_field(request, "parent", 12)).first()
        if parent is not None:  # who may register below it, before what is wrong with the body
            scope.authorize(parent, "add")
        elif not scope.governs_platform and not Region.objects.restrict(request.user, "add").exists():
            raise PermissionDenied(_("You may register regions only below your own."))
        data = s.RegionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = registry.region_create(
            user=request.user,
            code=data.validated_data["code"],
            name=data.validated_data["name"],
            parent=data.validated_data.get("parent"),
        )
        return Response(s.RegionSerializer(region).data, status=status.HTTP_201_CREATED)


class EnterpriseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.EnterpriseSerializer
    filterset_class = filters.EnterpriseFilter
    lookup_field = "uscc"

    def get_queryset(self):
        return selectors.enterprises_with_complaints(Enterprise.objects.restrict(self.request.user, "view"))

    @extend_schema(request=s.EnterpriseSerializer, responses={201: s.EnterpriseSerializer})
    def create(self, request: Request) -> Response:
        scope_of(request.user).require("register_enterprise")
        data = s.EnterpriseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enterprise = registry.enterprise_create(user=request.user, **data.validated_data)
        enterprise = selectors.enterprises_with_complaints(Enterprise.objects.filter(pk=enterprise.pk)).get()
        return Response(s.EnterpriseSerializer(enterprise).data, status=status.HTTP_201_CREATED)


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ProjectOutSerializer
    filterset_class = filters.ProjectFilter
    lookup_field = "permit_no"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    @extend_schema(request=s.ProjectSerializer, responses={201: s.ProjectOutSerializer})
    def create(self, request: Request) -> Response:
        # Who may register here, before what is wrong with the body: another city's district is refused
        # whatever else the body says (and an account that registers nowhere is refused outright).
        scope = scope_of(request.user)
        district = Region.objects.filter(code=raw_field(request, "district", 12)).first()
        if district is not None:
            scope.authorize(district, "register_project")
        elif not Region.objects.restrict(request.user, "register_project").exists():
            raise PermissionDenied(_("You may register projects of your own district only."))
        data = s.ProjectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        participants = [
            registry.Participation(enterprise=p["enterprise"], role=p["role"]) for p in fields.pop("participants")
        ]
        project = registry.project_create(
            user=request.user,
            participants=participants,
            required_positions=fields.pop("required_positions", []),
            **fields,
        )
        project = selectors.project_list(user=request.user).get(pk=project.pk)
        return Response(s.ProjectOutSerializer(project).data, status=status.HTTP_201_CREATED)


class EngagementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The people engaged on one project (ID numbers masked)."""

    serializer_class = s.EngagementSerializer
    filterset_class = filters.EngagementFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no URL arguments
            return Engagement.objects.none()
        project = selectors.project_get(user=self.request.user, permit_no=self.kwargs["permit_no"])
        return selectors.engagement_list(user=self.request.user, project=project)

    @extend_schema(request=s.EngagementInSerializer, responses={201: s.EngagementCreatedSerializer})
    def create(self, request: Request, permit_no: str) -> Response:
        project = selectors.project_get(user=request.user, permit_no=permit_no)
        scope_of(request.user).authorize(project, "register_people")  # who may, before what is wrong with the body
        data = s.EngagementInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = people.engagement_create(user=request.user, project=project, **data.validated_data)
        body = {"id": result.engagement.pk, "warnings": list(result.warnings)}
        return Response(body, status=status.HTTP_201_CREATED)


def _engagement(request: Request, permit_no: str, engagement_id: int) -> Engagement:
    project = selectors.project_get(user=request.user, permit_no=permit_no)
    return get_object_or_404(selectors.engagement_list(user=request.user, project=project), pk=engagement_id)


class EngagementExitApi(APIView):
    """退场登记: record a person's exit with the settlement confirmation."""

    @extend_schema(request=s.EngagementExitSerializer, responses={200: s.EngagementSerializer})
    def post(self, request: Request, permit_no: str, engagement_id: int) -> Response:
        engagement = _engagement(request, permit_no, engagement_id)
        scope_of(request.user).authorize(engagement, "exit")
        data = s.EngagementExitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        engagement = people.engagement_exit(user=request.user, engagement=engagement, **data.validated_data)
        return Response(s.EngagementSerializer(engagement).data)


class EngagementIdNumberApi(APIView):
    """The full ID number of one engaged person: needs the permission; every call is audit-logged."""

    @extend_schema(responses={200: s.IdNumberSerializer, 403: OpenApiResponse(description="no permission")})
    def get(self, request: Request, permit_no: str, engagement_id: int) -> Response:
        engagement = _engagement(request, permit_no, engagement_id)
        number = people.engagement_id_number_reveal(user=request.user, engagement=engagement, request=request)
        return Response({"engagement": engagement.pk, "id_number": number})


class ProjectStatusHistoryApi(APIView):
    """The project's status history; rows without a status request are changes made outside approval."""

    @extend_schema(responses={200: s.StatusChangeSerializer(many=True)})
    def get(self, request: Request, permit_no: str) -> Response:
        project = selectors.project_get(user=request.user, permit_no=permit_no)
        changes = project.status_changes.select_related("changed_by").order_by("changed_at", "id")
        return Response(s.StatusChangeSerializer(changes, many=True).data)


class StatusRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.StatusRequestSerializer
    filterset_class = filters.StatusRequestFilter

    def get_queryset(self):
        return selectors.status_request_list(user=self.request.user)

    @extend_schema(request=s.StatusRequestInSerializer, responses={201: s.StatusRequestSerializer})
    def create(self, request: Request) -> Response:
        # The project named, as the account reads it (another city's is not there), and whether the account
        # files for it, before what is wrong with the rest of the body.
        permit_no = raw_field(request, "project")
        if permit_no:
            project = named_project(user=request.user, permit_no=permit_no)
            scope_of(request.user).authorize(
                project, "manage_project", _("Only the project's general contractor files status requests.")
            )
        data = s.StatusRequestInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        project = named_project(user=request.user, permit_no=fields.pop("project").permit_no)
        for name in ("replaced", "replacement"):  # an engagement of this project, or none (never another's)
            pk = fields.pop(name)
            fields[name] = Engagement.objects.filter(pk=pk, project=project).first() if pk else None
        created = status_services.status_request_submit(user=request.user, project=project, **fields)
        return Response(s.StatusRequestSerializer(created).data, status=status.HTTP_201_CREATED)


def _status_request(request: Request, request_id: int):
    return get_object_or_404(selectors.status_request_list(user=request.user), pk=request_id)


class StatusRequestApproveApi(APIView):
    """Approve at the user's level: district staff first, then the city (which applies the change)."""

    @extend_schema(request=s.DecisionSerializer, responses={200: s.StatusRequestSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        status_request = _status_request(request, request_id)
        status_services.status_request_decider(user=request.user, request=status_request)
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = status_services.status_request_approve(
            user=request.user,
            status_request=status_request,
            comment=data.validated_data["comment"],
            retroactive=data.validated_data["retroactive"],
        )
        return Response(s.StatusRequestSerializer(decided).data)


class StatusRequestRejectApi(APIView):
    @extend_schema(request=s.RejectionSerializer, responses={200: s.StatusRequestSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        status_request = _status_request(request, request_id)
        status_services.status_request_decider(user=request.user, request=status_request)
        data = s.RejectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = status_services.status_request_reject(
            user=request.user, status_request=status_request, reason=data.validated_data["reason"]
        )
        return Response(s.StatusRequestSerializer(decided).data)


class StatusRequestWithdrawApi(APIView):
    @extend_schema(request=None, responses={200: s.StatusRequestSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        status_request = _status_request(request, request_id)
        withdrawn = status_services.status_request_withdraw(user=request.user, status_request=status_request)
        return Response(s.StatusRequestSerializer(withdrawn).data)


class StatusRequestAttachmentApi(APIView):
    """Attach the stamped form scan or dated site photos (PDF, JPEG or PNG, at most 10 MiB)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.AttachmentInSerializer}, responses={201: s.AttachmentSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        status_request = _status_request(request, request_id)
        if not status_services.status_request_is_submitter(request.user, status_request):
            raise PermissionDenied(_("Only the submitting enterprise adds attachments."))
        data = s.AttachmentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        attachment = status_services.status_request_attachment_add(
            user=request.user,
            status_request=status_request,
            kind=data.validated_data["kind"],
            name=upload.name,
            content=upload.read(),
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class StatusRequestAttachmentDownloadApi(APIView):
    """The attachment's file, to users who may see the request; each download is audit-logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="the file")})
    def get(self, request: Request, request_id: int, attachment_id: int) -> FileResponse:
        status_request = _status_request(request, request_id)
        attachment = status_request.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise Http404
        audit_event_record(
            user=request.user,
            action=AuditAction.DOWNLOAD_ATTACHMENT,
            what=f"下载状态变更申请{status_request.pk}的附件{attachment.pk}",
            record_count=1,
            request=request,
            project_permit_no=status_request.project.permit_no,
        )
        return file_download(attachment)


class MeApi(APIView):
    """Who the token belongs to: role and jurisdiction."""

    @extend_schema(responses={200: s.MeSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user).data)


class TokenRotateApi(APIView):
    """Replace the token this request presents: the answer carries the new one (shown once), and the
    presented token stops working. A session cannot rotate (it holds no token)."""

    @extend_schema(request=None, responses={201: s.TokenSerializer, 400: OpenApiResponse(description="no token")})
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise ValidationError({"detail": [_("Rotate a token with the token itself (Authorization: Token …).")]})
        issued, token = token_rotate(current=request.auth)
        return Response({"token": token, "expiry": issued.expiry}, status=status.HTTP_201_CREATED)
