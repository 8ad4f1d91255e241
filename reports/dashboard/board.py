"""The rights board on the dashboard (维权告示牌, seed 004 §二(六)): the general contractor sees its board as the
public does, gives its labour clerk's phone and downloads the printable page with the QR code; the
district's staff revoke the address (a board copied elsewhere, a token leaked), which issues a new one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.models import Project
from projects.scope import scope_of
from reports.services import XLSX
from rights import services
from rights.models import RightsBoard
from rights.printing import RIGHTS, TITLE, board_lines, board_workbook, qr_svg
from rights.selectors import board_facts
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction


def _project(request: HttpRequest, permit_no: str, action: str) -> Project:
    project = get_object_or_404(
        Project.objects.restrict(request.user, "view").select_related("district__parent"), permit_no=permit_no
    )
    scope_of(request.user).authorize(project, action)
    return project


def _address(request: HttpRequest, board: RightsBoard) -> str:
    return request.build_absolute_uri(reverse("rights:board", args=[board.token]))


@login_required
def project_board(request: HttpRequest, permit_no: str) -> HttpResponse:
    project = _project(request, permit_no, "print_board")
    board = services.board_issue(user=request.user, project=project)
    facts = board_facts(board)
    scope = scope_of(request.user)
    address = _address(request, board)
    return render(
        request,
        "reports/dashboard/board.html",
        {
            "project": project,
            "board": board,
            "title": TITLE,
            "lines": board_lines(facts),
            "rights": RIGHTS,
            "address": address,
            "qr": qr_svg(address),
            "may_keep": scope.allows(project, "keep_board"),
            "may_revoke": scope.allows(project, "revoke_board"),
        },
    )


@login_required
@require_POST
def board_contact(request: HttpRequest, permit_no: str) -> HttpResponse:
    project = _project(request, permit_no, "keep_board")
    try:
        services.board_contact_set(user=request.user, project=project, phone=request.POST.get("contact_phone", ""))
    except ValidationError as error:
        for reasons in error.message_dict.values():
            for reason in reasons:
                messages.error(request, reason)
    else:
        messages.success(request, _("The board's phone is saved; print the board again."))
    return redirect("dashboard:project-board", project.permit_no)


@login_required
@require_POST
def board_revoke(request: HttpRequest, permit_no: str) -> HttpResponse:
    project = _project(request, permit_no, "revoke_board")
    services.board_revoke(user=request.user, project=project)
    messages.success(request, _("The old address no longer opens; the board must be printed again with the new one."))
    return redirect("dashboard:project-board", project.permit_no)


@login_required
def board_download(request: HttpRequest, permit_no: str) -> HttpResponse:
    """The printable board (A4 landscape, fitted to one page) with its QR code; the download is logged."""
    project = _project(request, permit_no, "print_board")
    board = services.board_issue(user=request.user, project=project)
    content = board_workbook(board_facts(board), _address(request, board))
    audit_event_record(
        user=request.user,
        action=AuditAction.EXPORT,
        what=f"下载{project.name}的维权告示牌",
        record_count=1,
        request=request,
        project_permit_no=project.permit_no,
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%BB%B4%E6%9D%83%E5%91%8A%E7%A4%BA%E7%89%8C.xlsx"
    return response
