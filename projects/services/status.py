"""Status requests and their two-level approval (中山 2019 上线通知 三(八)–(十二)).

A project's status and key dates change only here, when the city approves: every change is then
written to the status history with the request that caused it (rule R05 compares the two).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import signals
from projects.choices import AttachmentKind, Category, ProjectStatus, StatusOnDay, StatusRequestKind, StatusRequestState
from projects.models import Engagement, Enterprise, Project, StatusRequest, StatusRequestAttachment, User
from projects.scope import scope_of
from projects.selectors import status_today
from projects.services.people import NOT_YET, another_holder
from smz_platform.common.dates import chinese_date
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_store

K = StatusRequestKind
S = ProjectStatus
# The project's status today (projects.selectors.status_on) from which each kind of request may be filed.
ALLOWED_FROM: dict[str, set[str]] = {
    K.START_DATE_CHANGE: {S.NOT_STARTED, S.ACTIVE},
    K.SUSPENSION: {S.ACTIVE},
    K.RESUMPTION: {S.SUSPENDED},
    K.STOP_ATTENDANCE: {S.ACTIVE, S.SUSPENDED},
    K.STOP_MANAGER_ATTENDANCE: {S.ACTIVE, S.SUSPENDED, StatusOnDay.ATTENDANCE_STOPPED},
    K.COMPLETION: {S.ACTIVE, S.SUSPENDED, StatusOnDay.ATTENDANCE_STOPPED},
    K.MOBILE_ATTENDANCE: {S.NOT_STARTED, S.ACTIVE, S.SUSPENDED},
    K.PLATFORM_DOCKING: {S.NOT_STARTED, S.ACTIVE, S.SUSPENDED},
    K.MANAGER_REPLACEMENT: {S.NOT_STARTED, S.ACTIVE, S.SUSPENDED},
}
PENDING = (StatusRequestState.PENDING_DISTRICT, StatusRequestState.PENDING_CITY)
# Requests that change what the project owes from a date on: dated into the past, they would erase
# days after the fact, so they may be dated back only a little (SMZ_REQUEST_BACKDATE_DAYS).
DATED = (K.SUSPENSION, K.RESUMPTION, K.STOP_ATTENDANCE, K.STOP_MANAGER_ATTENDANCE, K.COMPLETION)


# 《建筑工程施工许可管理办法》第八条 (中山 2019 上线通知 三(八)1): work starts within three months of the permit;
# the start may be put off twice, by at most three months each time. A later start needs a new permit.
START_LIMIT = relativedelta(months=3 + 2 * 3)


def latest_start(project: Project) -> dt.date | None:
    """The last day the project may start on under its permit (none known without the permit's date)."""
    return project.permitted_on + START_LIMIT if project.permitted_on else None


def _check_start_limit(project: Project, kind: str, effective_from: dt.date) -> None:
    limit = latest_start(project)
    if kind == K.START_DATE_CHANGE and limit is not None and effective_from > limit:
        permitted = project.permitted_on
        assert permitted is not None  # the limit is counted from it
        raise ValidationError(
            {
                "effective_from": [
                    _(
                        "A start after %(limit)s is more than nine months after the construction permit of "
                        "%(permitted)s (three months, put off at most twice by three months each): "
                        "the project needs a new permit."
                    )
                    % {"limit": chinese_date(limit), "permitted": chinese_date(permitted)}
                ]
            }
        )


# A stop of attendance ends judgement: it is approved on its document, attached as a report (中山 2019 上线通知
# 三(十二): "上传'安全生产标准化评定报告'扫描件"; the project manager's on the quality supervision notice).
STOP_DOCUMENTS: dict[str, str] = {
    K.STOP_ATTENDANCE: "安全生产标准化评定报告",
    K.STOP_MANAGER_ATTENDANCE: "工程现场施工质量监督任务完成告知书",
}


def _check_document(status_request: StatusRequest) -> None:
    document = STOP_DOCUMENTS.get(status_request.kind)
    if document and not status_request.attachments.filter(kind=AttachmentKind.REPORT).exists():
        raise ValidationError(
            {
                "attachments": [
                    _(
                        "A %(kind)s request is approved on its document: attach the scan of the %(document)s "
                        "(kind: report or certificate) first."
                    )
                    % {"kind": StatusRequestKind(status_request.kind).label, "document": document}
                ]
            }
        )


def _check_backdating(kind: str, effective_from: dt.date) -> None:
    allowance = settings.SMZ_REQUEST_BACKDATE_DAYS
    if kind in DATED and effective_from < timezone.localdate() - dt.timedelta(days=allowance):
        raise ValidationError(
            {
                "effective_from": [
                    _(
                        "A request may be dated at most %(days)d days back; "
                        "until it is approved, attendance goes on as usual."
                    )
                    % {"days": allowance}
                ]
            }
        )


def _check_replacement(
    project: Project, position: str, replaced: Engagement | None, replacement: Engagement | None
) -> None:
    """Both holders are open manager engagements of the project in a position the permit requires."""
    if position not in (project.required_positions or []):
        raise ValidationError({"position": [_("Name a position the construction permit requires.")]})
    for field, engagement in (("replaced", replaced), ("replacement", replacement)):
        if (
            engagement is None
            or engagement.project_id != project.pk
            or engagement.category != Category.MANAGER
            or engagement.position != position
            or engagement.exited_on is not None
        ):
            raise ValidationError({field: [_("Name an engaged manager of this project in that position.")]})
    assert replaced is not None and replacement is not None  # refused above when either is missing
    if replaced.person_id == replacement.person_id:
        raise ValidationError({"replacement": [_("The new holder must be another person.")]})


def status_request_submit(
    *,
    user: User,
    project: Project,
    kind: str,
    reason: str,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    vendor: Enterprise | None = None,
    position: str = "",
    replaced: Engagement | None = None,
    replacement: Engagement | None = None,
) -> StatusRequest:
    """The contractor files a request; nothing about the project changes until the city approves."""
    scope_of(user).authorize(
        project, "manage_project", _("Only the project's general contractor files status requests.")
    )
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    # The status today as every page shows it (a suspension with an end is over after it, without a request).
    today = status_today(project)
    if today not in ALLOWED_FROM[kind]:
        raise ValidationError(
            {
                "kind": [
                    _("A %(kind)s request cannot be filed while the project is %(status)s.")
                    % {"kind": StatusRequestKind(kind).label, "status": StatusOnDay(today).label}
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
    _check_backdating(kind, effective_from)
    _check_start_limit(project, kind, effective_from)
    if kind == K.MANAGER_REPLACEMENT:
        _check_replacement(project, position, replaced, replacement)
    elif position or replaced or replacement:
        raise ValidationError({"position": [_("A position is named only in a replacement request.")]})
    with transaction.atomic():
        # Lock the project row so two submissions cannot both pass the "no pending request" check.
        Project.objects.select_for_update().get(pk=project.pk)
        if StatusRequest.objects.filter(project=project, kind=kind, state__in=PENDING).exists():
            raise Conflict("kind", _("A request of this kind is already awaiting approval."))
        request = StatusRequest.objects.create(
            project=project,
            kind=kind,
            reason=reason.strip(),
            effective_from=effective_from,
            effective_to=effective_to,
            vendor=vendor,
            position=position,
            replaced=replaced,
            replacement=replacement,
            submitted_by=user,
            submitted_at=timezone.now(),
        )
        if replacement is not None:
            Engagement.objects.filter(pk=replacement.pk).update(judged_from=NOT_YET)
        return request


def status_request_is_submitter(user: User, status_request: StatusRequest) -> bool:
    """The submitting enterprise's accounts, or the project's city (projects.scope: `as_submitter`)."""
    return scope_of(user).is_submitter(status_request)


def status_request_attachment_add(
    *, user: User, status_request: StatusRequest, kind: str, name: str, content: bytes
) -> StatusRequestAttachment:
    if not status_request_is_submitter(user, status_request):
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


def status_request_decider(*, user: User, request: StatusRequest) -> str:
    """Which level the user decides at (the district first, then the city), or PermissionDenied."""
    if request.state == StatusRequestState.PENDING_DISTRICT:
        scope_of(user).authorize(request, "decide_first")
        return "district"
    if request.state == StatusRequestState.PENDING_CITY:
        scope_of(user).authorize(request, "decide_second")
        return "city"
    raise Conflict("state", _("The request has already been decided."))


def status_request_approve(
    *, user: User, status_request: StatusRequest, comment: str = "", retroactive: bool = False
) -> StatusRequest:
    """First the district, then the city. The city's approval makes the request take effect on the later
    of its requested date and today, or, approved `retroactive` with a comment saying why, on the
    requested date (recorded on the request)."""
    level = status_request_decider(user=user, request=status_request)
    if retroactive and (level != "city" or not comment.strip()):
        raise ValidationError({"retroactive": [_("Only the city approves a request as of its date, saying why.")]})
    # Neither level approves a start the permit does not allow (the permit's date may have been corrected since).
    _check_start_limit(status_request.project, status_request.kind, status_request.effective_from)
    _check_document(status_request)
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
            requested, today = status_request.effective_from, timezone.localdate()
            if retroactive:
                takes_effect = requested
            elif status_request.kind == K.START_DATE_CHANGE:
                takes_effect = today  # the start moves (to the requested date) from the approval on
            else:
                takes_effect = max(requested, today)
            _decide(
                request=status_request,
                expected=StatusRequestState.PENDING_CITY,
                new_state=StatusRequestState.APPROVED,
                city_decided_by=user,
                city_decided_at=now,
                city_comment=comment,
                takes_effect_on=takes_effect,
                retroactive=retroactive,
            )
            _apply(status_request=status_request, user=user)
    return status_request


def status_request_reject(*, user: User, status_request: StatusRequest, reason: str) -> StatusRequest:
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for rejecting.")]})
    level = status_request_decider(user=user, request=status_request)
    fields = {f"{level}_decided_by": user, f"{level}_decided_at": timezone.now(), f"{level}_comment": reason.strip()}
    _decide(request=status_request, expected=status_request.state, new_state=StatusRequestState.REJECTED, **fields)
    _release_replacement(status_request)
    return status_request


def status_request_withdraw(*, user: User, status_request: StatusRequest) -> StatusRequest:
    if not status_request_is_submitter(user, status_request):
        raise PermissionDenied(_("Only the submitting enterprise withdraws its request."))
    if status_request.state not in PENDING:
        raise Conflict("state", _("The request has already been decided."))
    _decide(request=status_request, expected=status_request.state, new_state=StatusRequestState.WITHDRAWN)
    _release_replacement(status_request)
    return status_request


def _release_replacement(request: StatusRequest) -> None:
    """A replacement that will not happen: its would-be holder is a manager like any other again, unless the
    position is still held (then it stays pending: a refused replacement never lets the first holder go)."""
    if request.replacement_id is None:
        return
    replacement = Engagement.objects.select_related("project").get(pk=request.replacement_id)
    if not another_holder(
        project=replacement.project,
        category=replacement.category,
        position=replacement.position,
        exclude=replacement.pk,
    ):
        Engagement.objects.filter(pk=replacement.pk, judged_from=NOT_YET).update(judged_from=None)


def _apply(*, status_request: StatusRequest, user: User) -> None:
    """Carry out an approved request on the project; the history records it with the request."""
    project = Project.objects.select_for_update().get(pk=status_request.project_id)
    kind, date = status_request.kind, status_request.takes_effect_on
    if kind == K.START_DATE_CHANGE:
        # The start moves to the requested date from the approval on (the timeline reads the request);
        # the date is also the actual start the contractor reports.
        date = status_request.effective_from
        project.actual_start = date
        if project.status == S.NOT_STARTED:
            project.status = S.ACTIVE
    elif kind == K.SUSPENSION:
        project.status = S.SUSPENDED
    elif kind == K.RESUMPTION:
        project.status = S.ACTIVE
    elif kind == K.STOP_ATTENDANCE:
        project.attendance_stopped_on = date
    elif kind == K.STOP_MANAGER_ATTENDANCE:
        project.manager_attendance_stopped_on = date
    elif kind == K.COMPLETION:
        project.status = S.COMPLETED
        project.completed_on = date
    else:
        # Mobile attendance and platform docking are permits, a replacement switches when the new holder
        # first attends: the approved request itself is the record.
        return
    project.save(status_request=status_request, changed_by=user)


def replacement_switch(*, status_request: StatusRequest, day: dt.date) -> bool:
    """The new holder of an approved replacement attended on `day`: from then on the new holder is held to
    attendance and the old one leaves (the day before). Once only (a conditional update)."""
    updated = StatusRequest.objects.filter(
        pk=status_request.pk, state=StatusRequestState.APPROVED, switched_on__isnull=True
    ).update(switched_on=day)
    if updated != 1:
        return False
    # A replacement request names both (status_request_submit refuses it otherwise).
    assert status_request.replaced_id is not None and status_request.replacement_id is not None
    replaced = Engagement.objects.get(pk=status_request.replaced_id)
    Engagement.objects.filter(pk=status_request.replacement_id).update(judged_from=day)
    exited = Engagement.objects.filter(pk=replaced.pk, exited_on__isnull=True).update(
        exited_on=max(day - dt.timedelta(days=1), replaced.entered_on),
        settlement_confirmed=True,
        exit_recorded_at=timezone.now(),
    )
    if exited:  # an exit as any other: the upward outbox reports it, a rights board naming him forgets him
        replaced.refresh_from_db()
        signals.engagement_exited.send(sender=Engagement, engagement=replaced)
    return True
