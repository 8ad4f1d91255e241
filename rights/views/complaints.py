"""举报投诉 for anyone: the form under a project's rights board, the same form on a city's public site (the project
named by its permit number), and the tracking page where the complainant reads the district's replies with his
code. Phone-first pages; the form works without JavaScript (asking for the code re-shows the form, kept)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from projects.models import Project, Region
from rights.models import ComplaintKind, ComplaintSource
from rights.selectors import board_live, published_city
from rights.selectors.complaints import complaint_tracked
from rights.services.codes import complainant_code_request
from rights.services.complaints import MAX_PHOTOS, ComplaintForm, Photo, complaint_file, complaint_firms
from rights.tracking import tracking_code_shown
from rights.views.forms import FORM_CACHE_SECONDS, errors_of, too_many
from smz_platform.common.audit import client_address
from smz_platform.common.errors import TooManyRequests
from smz_platform.common.publicpages import public_page

CODE_ASKED = "rights.complainant.code"
PHOTO_READ_LIMIT = 3  # files read from a form (a fourth is refused by the count, never read)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _form(request: HttpRequest) -> ComplaintForm:
    files = request.FILES.getlist("photos")
    photos = tuple(Photo(f.name, f.read()) for f in files[:PHOTO_READ_LIMIT])
    if len(files) > PHOTO_READ_LIMIT:  # counted, not read: the service refuses more than three
        photos += tuple(Photo(f.name, b"") for f in files[PHOTO_READ_LIMIT:])
    return ComplaintForm(
        kind=request.POST.get("kind", ""),
        text=request.POST.get("text", ""),
        enterprise_id=_int(request.POST.get("enterprise")),
        name=request.POST.get("name", ""),
        phone=request.POST.get("phone", ""),
        code_id=request.session.get(CODE_ASKED),
        code=request.POST.get("code", ""),
        photos=photos,
    )


def _handle(request: HttpRequest, *, project: Project | None, source: str, context: dict) -> HttpResponse:
    context = {
        "kinds": ComplaintKind.choices,
        "firms": complaint_firms(project) if project is not None else [],
        "project": project,
        "max_photos": MAX_PHOTOS,
        "data": request.POST if request.method == "POST" else {},
        **context,
    }
    if request.method != "POST":
        return render(request, "rights/complaint_form.html", context)
    if project is None:
        context["errors"] = {"permit_no": ["未找到该施工许可证编号的项目，请核对后重新填写。"]}
        return render(request, "rights/complaint_form.html", context, status=400)
    try:
        if request.POST.get("action") == "code":
            asked = complainant_code_request(phone=request.POST.get("phone", ""), address=client_address(request))
            request.session[CODE_ASKED] = asked.code_id
            context["code_sent"] = True
            return render(request, "rights/complaint_form.html", context)
        complaint = complaint_file(
            project=project, form=_form(request), source=source, address=client_address(request), request=request
        )
    except ValidationError as error:
        context["errors"] = errors_of(error)
        return render(request, "rights/complaint_form.html", context, status=400)
    except TooManyRequests as error:
        return too_many(request, error)
    request.session.pop(CODE_ASKED, None)
    return render(
        request,
        "rights/complaint_filed.html",
        {"complaint": complaint, "tracking_code": tracking_code_shown(complaint.tracking_code)},
    )


@never_cache
@public_page(FORM_CACHE_SECONDS)
def board_complaint(request: HttpRequest, token: str) -> HttpResponse:
    """The form under a rights board: the project is the board's."""
    board = board_live(token)
    if board is None:
        raise Http404
    return _handle(request, project=board.project, source=ComplaintSource.BOARD, context={"board": board})


def _city_project(city: Region, permit_no: str) -> Project | None:
    permit_no = permit_no.strip()[:64]
    if not permit_no:
        return None
    return Project.objects.filter(permit_no=permit_no, district__parent=city).first()


@never_cache
@public_page(FORM_CACHE_SECONDS)
def public_complaint(request: HttpRequest, code: str) -> HttpResponse:
    """The form on a city's public site: the project is named by its permit number (a project of this city)."""
    city = published_city(code)
    if city is None:
        raise Http404
    project = _city_project(city, request.POST.get("permit_no", "")) if request.method == "POST" else None
    return _handle(request, project=project, source=ComplaintSource.PUBLIC, context={"city": city})


@never_cache
@public_page(FORM_CACHE_SECONDS)
def track(request: HttpRequest) -> HttpResponse:
    """投诉查询: the code is posted, never put in an address (where logs and the browser's history keep it)."""
    if request.method != "POST":
        return render(request, "rights/complaint_track.html", {})
    complaint = complaint_tracked(request.POST.get("code", ""))
    if complaint is None:
        return render(
            request,
            "rights/complaint_track.html",
            {"errors": ["未找到该查询码对应的投诉，请核对后重新输入。"]},
            status=404,
        )
    context = {
        "complaint": complaint,
        "replies": complaint.replies.order_by("at", "id"),
        "tracking_code": tracking_code_shown(complaint.tracking_code),
    }
    return render(request, "rights/complaint_track.html", context)
