"""The wage API (工资): a project's special account and deposits, and the monthly wage sheets.

Every route asks the one scope: a project or sheet outside what the account reads is not found (404),
one it reads but may not act on is refused (403) with the reason; a bad body is a 400 naming the field
or the line, and nothing is written.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.api.body import named_project
from projects.models import Engagement, Enterprise
from projects.scope import scope_of
from projects.selectors import project_get
from smz_platform.common.api import parse_month, raw_field
from smz_platform.common.audit import audit_event_record
from smz_platform.common.files import file_download
from smz_platform.common.models import AuditAction
from wages import bankfile, services, workbook
from wages.api import serializers as s
from wages.models import ExitSettlement, LabourContract, LabourCostDeposit, WageAccount, WageLine, WageSheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProjectWageAccountApi(APIView):
    """The project's wage special account (工资专用账户), its number masked; the general contractor opens it."""

    @extend_schema(responses={200: s.WageAccountSerializer})
    def get(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        account = WageAccount.objects.restrict(request.user, "view").filter(project=project).first()
        if account is None:
            raise Http404(_("This project has no wage special account yet."))
        return Response(s.WageAccountSerializer(account).data)

    @extend_schema(request=s.WageAccountInSerializer, responses={201: s.WageAccountSerializer})
    def post(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        scope_of(request.user).authorize(project, "keep_wage_account")  # who may, before what is wrong
        data = s.WageAccountInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.wage_account_open(user=request.user, project=project, **data.validated_data)
        return Response(s.WageAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class ProjectDepositsApi(APIView):
    """The owner's labour-cost deposits into the special account (人工费用拨付)."""

    @extend_schema(responses={200: s.DepositSerializer(many=True)})
    def get(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        deposits = LabourCostDeposit.objects.restrict(request.user, "view").filter(project=project)
        return Response(s.DepositSerializer(deposits, many=True).data)

    @extend_schema(request=s.DepositInSerializer, responses={201: s.DepositSerializer})
    def post(self, request: Request, permit_no: str) -> Response:
        project = project_get(user=request.user, permit_no=permit_no)
        scope_of(request.user).authorize(project, "keep_wage_account")
        data = s.DepositInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deposit = services.labour_deposit_record(user=request.user, project=project, **data.validated_data)
        return Response(s.DepositSerializer(deposit).data, status=status.HTTP_201_CREATED)


def _sheets(user):
    lines = WageLine.objects.restrict(user, "view").select_related("person")
    return (
        WageSheet.objects.restrict(user, "view")
        .select_related("project", "employer")
        .prefetch_related(Prefetch("lines", queryset=lines.order_by("id")))
        .order_by("-month", "project_id", "employer_id", "team", "id")
    )


class WageSheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """工资支付表: the employer's own, every sheet of its projects for the general contractor, the district's."""

    serializer_class = s.WageSheetSerializer

    def get_queryset(self):
        sheets = _sheets(self.request.user)
        project = self.request.query_params.get("project")
        if project:
            sheets = sheets.filter(project__permit_no=project[:64])
        month = self.request.query_params.get("month")
        if month:
            sheets = sheets.filter(month=parse_month(month))
        return sheets

    @extend_schema(
        parameters=[
            OpenApiParameter("project", str, description="permit number"),
            OpenApiParameter("month", str, description="YYYY-MM"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.WageSheetInSerializer, responses={201: s.WageSheetSerializer})
    def create(self, request: Request) -> Response:
        return _prepare(
            request, s.WageSheetInSerializer, lambda body: [services.LineInput(**line) for line in body["lines"]]
        )


def _prepare(request: Request, serializer, lines_of) -> Response:
    """A sheet from a body (its lines, or its workbook): who may first, then the body, then the lines."""
    project = named_project(user=request.user, permit_no=raw_field(request, "project"))
    scope_of(request.user).authorize(project, "prepare_wages")  # who may, before what is wrong
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    body = data.validated_data
    employer = Enterprise.objects.filter(uscc=body["employer"].strip().upper()).first()
    if employer is None:
        raise ValidationError({"employer": [_("No enterprise has this credit code.")]})
    month = parse_month(body["month"])
    sheet = services.wage_sheet_prepare(
        user=request.user,
        project=project,
        employer=employer,
        month=month,
        team=body["team"].strip(),
        lines=lines_of(body),
    )
    return Response(
        s.WageSheetSerializer(get_object_or_404(_sheets(request.user), pk=sheet.pk)).data,
        status=status.HTTP_201_CREATED,
    )


class WageSheetImportApi(APIView):
    """工资支付表导入: the employer uploads its filled template; every bad row is named, nothing half-imported."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": s.WageSheetImportSerializer}, responses={201: s.WageSheetSerializer})
    def post(self, request: Request) -> Response:
        return _prepare(request, s.WageSheetImportSerializer, lambda body: workbook.lines_from(body["file"]))


class WageSheetTemplateApi(APIView):
    """The published template of the wage sheet workbook."""

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(workbook.template(), content_type=XLSX)
        response["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E5%B7%A5%E8%B5%84%E6%94%AF%E4%BB%98%E8%A1%A8%E6%A8%A1%E6%9D%BF.xlsx"
        )
        return response


class WageSheetConfirmApi(APIView):
    """总包确认: the general contractor confirms a prepared sheet (once)."""

    @extend_schema(request=None, responses={200: s.WageSheetSerializer})
    def post(self, request: Request, sheet_id: int) -> Response:
        sheet = get_object_or_404(WageSheet.objects.restrict(request.user, "view"), pk=sheet_id)
        services.wage_sheet_confirm(user=request.user, sheet=sheet)
        return Response(s.WageSheetSerializer(get_object_or_404(_sheets(request.user), pk=sheet.pk)).data)


class WageSheetBankResultsApi(APIView):
    """银行代发结果: the general contractor uploads the bank's file; each row is matched to a line by card and
    holder, so that a line is paid when the bank says so. Every bad row is named, nothing recorded."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": s.BankResultsInSerializer}, responses={200: s.WageSheetSerializer})
    def post(self, request: Request, sheet_id: int) -> Response:
        sheet = get_object_or_404(WageSheet.objects.restrict(request.user, "view"), pk=sheet_id)
        scope_of(request.user).authorize(sheet, "record_bank_results")  # who may, before what is wrong
        data = s.BankResultsInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        services.wage_bank_results_record(
            user=request.user, sheet=sheet, rows=bankfile.bank_rows_from(upload, upload.name or "")
        )
        return Response(s.WageSheetSerializer(get_object_or_404(_sheets(request.user), pk=sheet.pk)).data)


def _engagement(request: Request, permit_no: str, engagement_id: int) -> Engagement:
    project = project_get(user=request.user, permit_no=permit_no)
    return get_object_or_404(
        Engagement.objects.restrict(request.user, "view").select_related("project", "employer"),
        project=project,
        pk=engagement_id,
    )


class EngagementContractsApi(APIView):
    """劳动合同 of an engagement: listed to those who read the engagement; recorded by who registers its staff."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses={200: s.LabourContractSerializer(many=True)})
    def get(self, request: Request, permit_no: str, engagement_id: int) -> Response:
        engagement = _engagement(request, permit_no, engagement_id)
        contracts = LabourContract.objects.restrict(request.user, "view").filter(engagement=engagement)
        return Response(s.LabourContractSerializer(contracts, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.LabourContractInSerializer}, responses={201: s.LabourContractSerializer}
    )
    def post(self, request: Request, permit_no: str, engagement_id: int) -> Response:
        engagement = _engagement(request, permit_no, engagement_id)
        if not scope_of(request.user).may_register_staff(engagement.project, engagement.employer):
            raise PermissionDenied(_("You may record contracts only of your own enterprise's staff."))
        data = s.LabourContractInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = dict(data.validated_data)
        scan = body.pop("scan")
        contract = services.labour_contract_record(
            user=request.user,
            engagement=engagement,
            scan=scan.read() if scan else None,
            scan_name=scan.name if scan else "",
            **body,
        )
        return Response(s.LabourContractSerializer(contract).data, status=status.HTTP_201_CREATED)


class EngagementContractScanApi(APIView):
    """The signed scan of a labour contract, to those who read it; every download audit-logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, permit_no: str, engagement_id: int, contract_id: int):
        engagement = _engagement(request, permit_no, engagement_id)
        contract = get_object_or_404(
            LabourContract.objects.restrict(request.user, "view").filter(engagement=engagement), pk=contract_id
        )
        if not contract.file:
            raise Http404(_("This contract has no scan."))
        audit_event_record(
            user=request.user,
            action=AuditAction.DOWNLOAD_ATTACHMENT,
            what=f"下载劳动合同{contract.code}的扫描件",
            record_count=1,
            request=request,
            project_permit_no=engagement.project.permit_no,
        )
        return file_download(contract)


class EngagementSettlementApi(APIView):
    """退场结算 of an engagement: read by those who read the engagement; recorded once by who registers its staff."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses={200: s.ExitSettlementSerializer})
    def get(self, request: Request, permit_no: str, engagement_id: int) -> Response:
        engagement = _engagement(request, permit_no, engagement_id)
        settlement = get_object_or_404(ExitSettlement.objects.restrict(request.user, "view"), engagement=engagement)
        return Response(s.ExitSettlementSerializer(settlement).data)

    @extend_schema(
        request={"multipart/form-data": s.ExitSettlementInSerializer}, responses={201: s.ExitSettlementSerializer}
    )
    def post(self, request: Request, permit_no: str, engagement_id: int) -> Response:
        engagement = _engagement(request, permit_no, engagement_id)
        if not scope_of(request.user).may_register_staff(engagement.project, engagement.employer):
            raise PermissionDenied(_("You may record settlements only of your own enterprise's staff."))
        data = s.ExitSettlementInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = dict(data.validated_data)
        scan = body.pop("confirmation")
        settlement = services.exit_settlement_record(
            user=request.user,
            engagement=engagement,
            scan=scan.read() if scan else None,
            scan_name=scan.name if scan else "",
            **body,
        )
        return Response(s.ExitSettlementSerializer(settlement).data, status=status.HTTP_201_CREATED)


class EngagementSettlementFileApi(APIView):
    """The signed exit confirmation (退场确认书), to those who read it; every download audit-logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, permit_no: str, engagement_id: int):
        engagement = _engagement(request, permit_no, engagement_id)
        settlement = get_object_or_404(ExitSettlement.objects.restrict(request.user, "view"), engagement=engagement)
        if not settlement.file:
            raise Http404(_("This settlement has no signed confirmation."))
        audit_event_record(
            user=request.user,
            action=AuditAction.DOWNLOAD_ATTACHMENT,
            what=f"下载用工记录{engagement.pk}的退场确认书",
            record_count=1,
            request=request,
            project_permit_no=engagement.project.permit_no,
        )
        return file_download(settlement)


class WageLineCardApi(APIView):
    """A worker's full bank card number on a wage line: the permission and audit of full ID numbers."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "WageLineCard", {"line": drf_serializers.IntegerField(), "card": drf_serializers.CharField()}
            )
        }
    )
    def get(self, request: Request, sheet_id: int, line_id: int) -> Response:
        sheet = get_object_or_404(WageSheet.objects.restrict(request.user, "view"), pk=sheet_id)
        line = get_object_or_404(
            WageLine.objects.restrict(request.user, "view").select_related("sheet__project"), sheet=sheet, pk=line_id
        )
        card = services.wage_line_card_reveal(user=request.user, line=line, request=request)
        return Response({"line": line.pk, "card": card})
