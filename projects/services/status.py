"""Status requests and their two-level approval (中山 2019 上线通知 三(八)–(十二)).

A project's status and key dates change only here, when the city approves: every change is then
written to the status history with the request that caused it (rule R05 compares the two).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.choices import AttachmentKind, ProjectStatus, Role, StatusRequestKind, StatusRequestState
from projects.jurisdiction import can_manage_project
from projects.models import Enterprise, Project, StatusRequest, StatusRequestAttachment, User
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_store

K = StatusRequestKind
S = ProjectStatus
# The project statuses from which each kind of request may be filed.
ALLOWED_FROM = {
    K.START_DATE_CHANGE: {S.NOT_STARTED, S.ACTIVE},
    K.SUSPENSION: {S.ACTIVE},
    K.RESUMPTION: {S.SUSPENDED},
    K.STOP_ATTENDANCE: {S.ACTIVE, S.SUSPENDED},
    K.COMPLETION: {S.ACTIVE, S.SUSPENDED},
    K.MOBILE_ATTENDANCE: {S.NOT_STARTED, S.ACTIVE, S.SUSPENDED},
    K.PLATFORM_DOCKING: {S.NOT_STARTED, S.ACTIVE, S.SUSPENDED},
}
PENDING = (StatusRequestState.PENDING_DISTRICT, StatusRequestState.PENDING_CITY)


def status_request_submit(
    *,
    user: User,
    project: Project,
    kind: str,
    reason: str,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    vendor: Enterprise | None = None,
) -> StatusRequest:
    """The contractor files a request; nothing about the project changes until the city approves."""
    if not can_manage_project(user, project):
        raise PermissionDenied(_("Only the project's general contractor files status requests."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    if project.status not in ALLOWED_FROM[kind]:
        raise ValidationError(
            {
                "kind": [
                    _("A %(kind)s request cannot be filed while the project is %(status)s.")
                    % {"kind": StatusRequestKind(kind).label, "status": ProjectStatus(project.status).label}
                ]
            }
        )
    if effective_to and effective_to < effective_from:
        raise ValidationError({"effective_to": [_("The end date is before the start date.")]})
    if kind == K.PLATFORM_DOCKING:
        if vendor is None:
            raise ValidationError({"vendor": [_("Name the vendor whose platform the devices connect through.")]})
        if not vendor.is_vendor:
            raise ValidationError({"vendor": [_("%(name)s is not a device vendor.") % {"name": vendor.name}]})
    elif vendor is not None:
        raise ValidationError({"vendor": [_("A vendor is named only in a platform docking request.")]})
    with transaction.atomic():
        # Lock the project row so two submissions cannot both pass the "no pending request" check.
        Project.objects.select_for_update().get(pk=project.pk)
        if StatusRequest.objects.filter(project=project, kind=kind, state__in=PENDING).exists():
            raise Conflict("kind", _("A request of this kind is already awaiting approval."))
        return StatusRequest.objects.create(
            project=project,
            kind=kind,
            reason=reason.strip(),
            effective_from=effective_from,
            effective_to=effective_to,
            vendor=vendor,
            submitted_by=user,
            submitted_at=timezone.now(),
        )


def status_request_attachment_add(
    *, user: User, status_request: StatusRequest, kind: str, name: str, content: bytes
) -> StatusRequestAttachment:
    if status_request.submitted_by.enterprise_id != user.enterprise_id and user.role != Role.CITY:
        raise PermissionDenied(_("Only the submitting enterprise adds attachments."))
    if status_request.state not in PENDING:
        raise Conflict("state", _("Attachments can be added only while the request awaits approval."))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": [_("Unknown attachment kind.")]})
    attachment = StatusRequestAttachment(
        status_request=status_request, kind=kind, original_name=name[:200], uploaded_by=user
    )
    return file_store(attachment, content=content)


def _decide(*, request: StatusRequest, expected: str, new_state: str, **fields) -> None:
    """Move the request on only if nobody else moved it first (conditional update)."""
    updated = StatusRequest.objects.filter(pk=request.pk, state=expected).update(state=new_state, **fields)
    if updated != 1:
        raise Conflict("state", _("The request has already been decided."))
    request.refresh_from_db()


def _check_decider(*, user: User, request: StatusRequest) -> str:
    """Which level the user decides at, or PermissionDenied."""
    if request.state == StatusRequestState.PENDING_DISTRICT:
        if user.role == Role.DISTRICT and user.district_id == request.project.district_id:
            return "district"
        raise PermissionDenied(_("The first approval belongs to the staff of the project's district."))
    if request.state == StatusRequestState.PENDING_CITY:
        if user.role == Role.CITY:
            return "city"
        raise PermissionDenied(_("The second approval belongs to the city."))
    raise Conflict("state", _("The request has already been decided."))


def status_request_approve(*, user: User, status_request: StatusRequest, comment: str = "") -> StatusRequest:
    level = _check_decider(user=user, request=status_request)
    now = timezone.now()
    with transaction.atomic():
        if level == "district":
            _decide(
                request=status_request,
                expected=StatusRequestState.PENDING_DISTRICT,
                new_state=StatusRequestState.PENDING_CITY,
                district_decided_by=user,
                district_decided_at=now,
                district_comment=comment,
            )
        else:
            _decide(
                request=status_request,
                expected=StatusRequestState.PENDING_CITY,
                new_state=StatusRequestState.APPROVED,
                city_decided_by=user,
                city_decided_at=now,
                city_comment=comment,
            )
            _apply(status_request=status_request, user=user)
    return status_request


def status_request_reject(*, user: User, status_request: StatusRequest, reason: str) -> StatusRequest:
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for rejecting.")]})
    level = _check_decider(user=user, request=status_request)
    fields = {f"{level}_decided_by": user, f"{level}_decided_at": timezone.now(), f"{level}_comment": reason.strip()}
    _decide(request=status_request, expected=status_request.state, new_state=StatusRequestState.REJECTED, **fields)
    return status_request


def status_request_withdraw(*, user: User, status_request: StatusRequest) -> StatusRequest:
    if status_request.submitted_by.enterprise_id != user.enterprise_id and user.role != Role.CITY:
        raise PermissionDenied(_("Only the submitting enterprise withdraws its request."))
    if status_request.state not in PENDING:
        raise Conflict("state", _("The request has already been decided."))
    _decide(request=status_request, expected=status_request.state, new_state=StatusRequestState.WITHDRAWN)
    return status_request


def _apply(*, status_request: StatusRequest, user: User) -> None:
    """Carry out an approved request on the project; the history records it with the request."""
    project = Project.objects.select_for_update().get(pk=status_request.project_id)
    kind, date = status_request.kind, status_request.effective_from
    if kind == K.START_DATE_CHANGE:
        project.actual_start = date
        if project.status == S.NOT_STARTED:
            project.status = S.ACTIVE
    elif kind == K.SUSPENSION:
        project.status = S.SUSPENDED
    elif kind == K.RESUMPTION:
        project.status = S.ACTIVE
    elif kind == K.STOP_ATTENDANCE:
        project.attendance_stopped_on = date
    elif kind == K.COMPLETION:
        project.status = S.COMPLETED
        project.completed_on = date
    else:
        # Mobile attendance and platform docking are permits: the approved request itself is the record.
        return
    project.save(status_request=status_request, changed_by=user)
