"""Downloads of the workbooks (reports/urls.py, documented in /api/schema/): session or token authentication,
scoped by jurisdiction (a district user gets only its district), each download written to the audit log."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inspections.models import Campaign, Case
from projects.models import Project
from projects.scope import scope_of
from projects.scope.areas import ReportArea, report_area
from reports import jobs, services
from reports.dashboard.reports_page import reports_form_refused
from reports.models import ReportJob, ReportJobState
from smz_platform.common.api import parse_month
from smz_platform.common.audit import audit_event_record
from smz_platform.common.dates import period_text
from smz_platform.common.models import AuditAction

# A city-wide Annex 1 over more than this many days is generated in the background.
DIRECT_MAX_DAYS = 92
MAX_PERIOD_DAYS = 3 * 366
MAX_LEDGER_MONTHS = 36
XLSX_RESPONSE = {(200, services.XLSX): OpenApiResponse(description="the workbook (.xlsx)")}


def _area(request: Request) -> ReportArea:
    """The district, city or province the download covers, as the one scope allows it (projects.scope.areas)."""
    params = request.query_params
    return report_area(scope_of(request.user), district_code=params.get("district"), city_code=params.get("city"))


def _date(params, name: str) -> dt.date | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: [_("Give the date as YYYY-MM-DD.")]}) from None


def _wants_html(request: Request) -> bool:
    """A browser (the reports page's forms), not an API client."""
    return "text/html" in request.headers.get("Accept", "") and "format" not in request.query_params


class PageForm:
    """A download the reports page's form `form` asks for: a browser's bad input is answered on that page,
    beside the field, with what was typed kept (never the REST framework's English API page); an API
    client gets the usual 400 with the field errors."""

    form = ""

    def handle_exception(self, exc):
        if _wants_html(self.request) and isinstance(exc, ValidationError | DjangoValidationError):
            detail = exc.detail if isinstance(exc, ValidationError) else getattr(exc, "message_dict", exc.messages)
            return reports_form_refused(self.request._request, form=self.form, errors=detail)
        return super().handle_exception(exc)


def _send(request: Request, report: services.Report) -> HttpResponse:
    audit_event_record(
        user=request.user,
        action=AuditAction.EXPORT,
        what=report.what,
        record_count=report.records,
        request=request,
        project_permit_no=report.project_permit_no,
    )
    response = HttpResponse(report.content, content_type=services.XLSX)
    response["Content-Disposition"] = report.content_disposition
    return response


class Annex1Api(PageForm, APIView):
    """甬建函〔2023〕82号 附件1 for a district; without `district`, the city workbook (a sheet per district and
    a total). The period is `from`–`to` or a campaign's; a city workbook over more than 92 days is
    generated in the background (202 with its status page)."""

    form = "annex1"

    @extend_schema(
        parameters=[
            OpenApiParameter("district", str),
            OpenApiParameter("from", dt.date),
            OpenApiParameter("to", dt.date),
            OpenApiParameter("campaign", int),
        ],
        responses={
            **XLSX_RESPONSE,
            202: inline_serializer(
                "ReportJobStarted",
                {
                    "job": serializers.UUIDField(),
                    "state": serializers.CharField(),
                    "status_url": serializers.CharField(),
                },
            ),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        area = _area(request)
        district, city, province = area.district, area.city, area.province
        districts = None
        if params.get("campaign"):
            if not params["campaign"].isdigit():
                raise ValidationError({"campaign": [_("A campaign is given by its number.")]})
            # Another city's campaign is no campaign of this account's (as an unknown number answers).
            campaign = Campaign.objects.restrict(request.user, "view").filter(pk=int(params["campaign"])).first()
            if campaign is None:
                raise ValidationError({"campaign": [_("No such campaign.")]})
            if district is not None and not campaign.districts.filter(pk=district.pk).exists():
                raise ValidationError({"campaign": [_("The district does not take part in this campaign.")]})
            start, end = campaign.starts_on, campaign.ends_on
            governed = scope_of(request.user).districts()
            districts = list(campaign.districts.filter(pk__in=governed).order_by("code")) if district is None else None
        else:
            start, end = _date(params, "from"), _date(params, "to")
            if start is None or end is None:
                raise ValidationError({"from": [_("Give the period as from and to, or a campaign.")]})
        if end < start:
            raise ValidationError({"to": [_("The period ends before it starts.")]})
        if (end - start).days > MAX_PERIOD_DAYS or start.year < 2000:
            raise ValidationError({"from": [_("The period may span at most three years.")]})
        if province is not None:
            if params.get("campaign"):
                raise ValidationError({"campaign": [_("A campaign is a city's: download its city's Annex 1.")]})
            return _send(
                request, services.annex1_province_report(user=request.user, province=province, start=start, end=end)
            )
        if district is None and (end - start).days > DIRECT_MAX_DAYS:
            job = jobs.report_job_start(
                user=request.user,
                kind="annex1",
                params={
                    "district": None,
                    "city": city.code if city else None,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "districts": [d.code for d in districts] if districts else None,
                },
            )
            status_url = reverse("report-job", args=[job.pk])
            if _wants_html(request):  # from the reports page: on to the status page, which refreshes itself
                return redirect(status_url)
            return Response({"job": str(job.pk), "state": job.state, "status_url": status_url}, status=202)
        return _send(
            request,
            services.annex1_report(
                user=request.user, district=district, start=start, end=end, districts=districts, city=city
            ),
        )


class Annex2Api(PageForm, APIView):
    """甬建函〔2023〕82号 附件2 for one case of the user's jurisdiction."""

    form = "annex2"

    @extend_schema(parameters=[OpenApiParameter("case", int, required=True)], responses=XLSX_RESPONSE)
    def get(self, request: Request) -> HttpResponse:
        scope_of(request.user).require("regulate", _("Reports are downloaded by the regulators."))
        raw = request.query_params.get("case", "")
        if not raw.isdigit():
            raise ValidationError({"case": [_("Give the case's number.")]})
        cases = Case.objects.restrict(request.user, "view").select_related("project__district")
        case = get_object_or_404(cases, pk=int(raw))
        return _send(request, services.annex2_report(user=request.user, case=case))


class _MonthlyReportApi(PageForm, APIView):
    """A monthly workbook of a district, or of the city for the city's users."""

    build = None  # the service that makes the workbook

    @extend_schema(
        parameters=[OpenApiParameter("district", str), OpenApiParameter("month", str)], responses=XLSX_RESPONSE
    )
    def get(self, request: Request) -> HttpResponse:
        area = _area(request)
        district, city, province = area.district, area.city, area.province
        month = parse_month(request.query_params.get("month"))
        return _send(
            request, type(self).build(user=request.user, district=district, month=month, city=city, province=province)
        )


class ManagerPresenceApi(_MonthlyReportApi):
    """The monthly manager presence report (吉建管〔2021〕6号 附件1第2项), ID numbers masked."""

    form = "manager_presence"
    build = staticmethod(services.manager_presence_report)


class CircularApi(_MonthlyReportApi):
    """The monthly circular (吉建管〔2021〕6号 五(二), 杭建市发〔2016〕39号 五(三)2) per district."""

    form = "circular"
    build = staticmethod(services.circular_report)


class LedgerApi(PageForm, APIView):
    """实名制管理台账 of one project (鄂建文〔2019〕27号 一(五)): for its regulators and its general contractor."""

    form = "ledger"

    @extend_schema(
        parameters=[
            OpenApiParameter("project", str, required=True),
            OpenApiParameter("from", str),
            OpenApiParameter("to", str),
        ],
        responses=XLSX_RESPONSE,
    )
    def get(self, request: Request) -> HttpResponse:
        permit_no = request.query_params.get("project", "")
        projects = Project.objects.restrict(request.user, "view").select_related("district")
        project = projects.filter(permit_no=permit_no).first()
        if project is None:
            raise ValidationError(
                {"project": [_("No project with permit number %(no)s in your jurisdiction.") % {"no": permit_no}]}
            )
        scope_of(request.user).authorize(project, "see_everyone")
        last = parse_month(request.query_params.get("to"), field="to")
        first = (
            parse_month(request.query_params.get("from"), field="from") if request.query_params.get("from") else last
        )
        if first > last:
            raise ValidationError({"to": [_("The period ends before it starts.")]})
        months = [first]
        while months[-1] < last:
            months.append((months[-1] + dt.timedelta(days=32)).replace(day=1))
        if len(months) > MAX_LEDGER_MONTHS:
            raise ValidationError({"from": [_("The ledger covers at most 36 months at a time.")]})
        return _send(request, services.ledger_report(user=request.user, project=project, months=months))


class ReportJobApi(APIView):
    """A background workbook's status; when ready, its download link."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "ReportJobStatus",
                {
                    "job": serializers.UUIDField(),
                    "state": serializers.CharField(),
                    "error": serializers.CharField(),
                    "download_url": serializers.CharField(allow_null=True),
                },
            )
        }
    )
    def get(self, request: Request, job_id) -> Response:
        job = get_object_or_404(ReportJob.objects.restrict(request.user, "view"), pk=job_id)
        ready = job.state == ReportJobState.DONE
        download_url = reverse("report-job-download", args=[job.pk]) if ready else None
        if _wants_html(request):
            return render(request, "reports/dashboard/job.html", {"job": job, "download_url": download_url})
        return Response({"job": str(job.pk), "state": job.state, "error": job.error, "download_url": download_url})


class ReportJobDownloadApi(APIView):
    @extend_schema(responses=XLSX_RESPONSE)
    def get(self, request: Request, job_id) -> FileResponse:
        job = get_object_or_404(ReportJob.objects.restrict(request.user, "view"), pk=job_id, state=ReportJobState.DONE)
        period = period_text(dt.date.fromisoformat(job.params["from"]), dt.date.fromisoformat(job.params["to"]))
        audit_event_record(
            user=request.user,
            action=AuditAction.EXPORT,
            what=f"下载附件1（全市，{period}）",
            record_count=1,
            request=request,
        )
        return FileResponse(job.file.open("rb"), content_type=services.XLSX, as_attachment=True, filename=job.filename)
