"""People and engagements (进场登记 / 退场登记), and revealing an ID number to those allowed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from projects import signals
from projects.choices import Category, CodeTable, ParticipantRole
from projects.identity import IdNumber, InvalidIdNumber, parse_id_number
from projects.models import Engagement, Enterprise, IdentityConflict, Person, Project, ReferenceCode, User
from projects.scope import scope_of
from smz_platform.common import pii
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import Conflict
from smz_platform.common.models import AuditAction
from smz_platform.common.phones import MOBILE_MESSAGE, mobile_normalise

EMPLOYER_ROLES = (ParticipantRole.CONTRACTOR, ParticipantRole.SUBCONTRACTOR, ParticipantRole.SUPERVISOR)


def person_find(*, id_number: str) -> Person | None:
    """The person holding this (normalised) ID number, found through the keyed hash."""
    return Person.objects.filter(id_number_digest=pii.lookup_digest(id_number)).first()


def _refuse_identity_conflict(*, user: User, project: Project, holder: Person, name: str) -> None:
    """The number is held under another name: recorded for the district (in its own transaction, so it
    stays when the registration is rolled back), and refused with an answer that names no one."""
    IdentityConflict.objects.create(project=project, person=holder, offered_name=name[:64], offered_by=user)
    raise ValidationError(
        {
            "id_number": [
                _(
                    "This ID number and name cannot be registered together. Check both against the ID card; "
                    "if they are right, ask the district's real-name office."
                )
            ]
        }
    )


def person_get_or_create(*, id_number: IdNumber, name: str) -> tuple[Person, bool]:
    """One row per ID number; a second registration under another name is refused, not merged."""
    digest = pii.lookup_digest(id_number.number)
    person = Person.objects.filter(id_number_digest=digest).first()
    if person is not None:
        if person.name != name:
            raise ValidationError({"id_number": [_("This ID number and name cannot be registered together.")]})
        return person, False
    try:
        with transaction.atomic():
            person = Person.objects.create(
                id_number_encrypted=pii.encrypt(id_number.number),
                id_number_digest=digest,
                id_number_masked=pii.mask_id_number(id_number.number),
                id_number_warnings=list(id_number.warnings),
                name=name,
                gender=id_number.gender,
                birth_year=id_number.birth_date.year,
            )
    except IntegrityError:
        # Another request registered the same person a moment ago: use that row.
        return Person.objects.get(id_number_digest=digest), False
    return person, True


@dataclass(frozen=True)
class EngagementResult:
    engagement: Engagement
    warnings: tuple[str, ...]


def _check_code(table: str, field: str, code: str) -> None:
    if code and not ReferenceCode.objects.filter(table=table, code=code, active=True).exists():
        raise ValidationError({field: [_("Unknown code %(code)s.") % {"code": code}]})


def _check_engagement(
    *,
    user: User,
    project: Project,
    employer: Enterprise,
    category: str,
    position: str,
    trade: str,
    entered_on: dt.date,
    contract_signed_on: dt.date | None,
) -> None:
    """The employer takes part, the user may register its staff, and the fields fit the category."""
    if not project.participants.filter(enterprise=employer, role__in=EMPLOYER_ROLES).exists():
        raise ValidationError(
            {"employer": [_("%(name)s does not take part in this project.") % {"name": employer.name}]}
        )
    if not scope_of(user).may_register_staff(project, employer):
        raise PermissionDenied(_("You may register only your own enterprise's staff on this project."))
    if category == Category.MANAGER and not position:
        raise ValidationError({"position": [_("A manager needs a position.")]})
    if category == Category.WORKER and position:
        raise ValidationError({"position": [_("Only managers have a position.")]})
    _check_code(CodeTable.POSITION, "position", position)
    _check_code(CodeTable.WORK_TYPE, "trade", trade)
    if entered_on > timezone.localdate() + dt.timedelta(days=30):
        raise ValidationError({"entered_on": [_("The entry date is more than 30 days ahead.")]})
    if contract_signed_on and contract_signed_on > timezone.localdate():
        raise ValidationError({"contract_signed_on": [_("The contract date is in the future.")]})


def engagement_create(
    *,
    user: User,
    project: Project,
    id_number: str,
    name: str,
    employer: Enterprise,
    category: str,
    position: str = "",
    team: str = "",
    trade: str = "",
    entered_on: dt.date,
    contract_signed_on: dt.date | None = None,
    phone: str = "",
) -> EngagementResult:
    """进场登记: engage a person on a project. The person is created on first sight of the number; `phone` is
    the worker's own mobile, kept encrypted (his one-time codes go there)."""
    try:
        parsed = parse_id_number(id_number, today=timezone.localdate())
    except InvalidIdNumber as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    mobile = mobile_normalise(phone) if phone.strip() else ""
    if mobile is None:
        raise ValidationError({"phone": [str(MOBILE_MESSAGE)]})
    _check_engagement(
        user=user,
        project=project,
        employer=employer,
        category=category,
        position=position,
        trade=trade,
        entered_on=entered_on,
        contract_signed_on=contract_signed_on,
    )
    holder = person_find(id_number=parsed.number)
    if holder is not None and holder.name != name:
        _refuse_identity_conflict(user=user, project=project, holder=holder, name=name)
    with transaction.atomic():
        person, _created = person_get_or_create(id_number=parsed, name=name)
        open_engagement = Engagement.objects.filter(person=person, project=project, exited_on__isnull=True).first()
        if open_engagement is not None:
            raise Conflict(
                "id_number",
                _("This person is already engaged on the project since %(date)s.")
                % {"date": open_engagement.entered_on.isoformat()},
            )
        # A second holder of a required position: registered, but pending until a replacement is approved,
        # so that registering a successor and exiting the first never replaces a manager without a request.
        pending = another_holder(project=project, category=category, position=position)
        try:
            with transaction.atomic():
                engagement = Engagement.objects.create(
                    person=person,
                    project=project,
                    employer=employer,
                    category=category,
                    position=position,
                    team=team,
                    trade=trade,
                    entered_on=entered_on,
                    contract_signed_on=contract_signed_on,
                    phone_encrypted=pii.encrypt_as(mobile, pii.PHONE) if mobile else "",
                    phone_masked=pii.mask_phone(mobile) if mobile else "",
                    created_by=user,
                    judged_from=NOT_YET if pending else None,
                )
        except IntegrityError as exc:
            raise Conflict("id_number", _("This person is already engaged on the project.")) from exc
        signals.engagement_registered.send(sender=Engagement, engagement=engagement)
    warnings = tuple(person.id_number_warnings)
    if pending:
        warnings += (
            _(
                "The position is held: the new holder takes it only when a replacement request is approved "
                "(管理人员变更申请)."
            ),
        )
    return EngagementResult(engagement=engagement, warnings=warnings)


# A holder not yet held to attendance: the new holder of a required position, until an approved
# replacement switches it in (projects.services.status.replacement_switch).
NOT_YET = dt.date.max


def another_holder(*, project: Project, category: str, position: str, exclude: int | None = None) -> bool:
    """Is a position the permit requires already held (an open, judged holder) by someone else? Then a new
    holder waits for an approved replacement (中山 2019 上线通知 三(十一), 吉建管〔2021〕6号 三(二))."""
    if category != Category.MANAGER or position not in (project.required_positions or []):
        return False
    holders = Engagement.objects.filter(
        project=project, category=Category.MANAGER, position=position, exited_on__isnull=True, judged_from__isnull=True
    )
    return holders.exclude(pk=exclude).exists() if exclude else holders.exists()


def _holds_required_position(engagement: Engagement) -> bool:
    """The engagement is the (only) holder of a position the permit requires: the project manager, the
    chief supervisor, … (吉建管〔2021〕6号 三(二): "不得随意、擅自变更")."""
    if engagement.category != Category.MANAGER or engagement.position not in (
        engagement.project.required_positions or []
    ):
        return False
    others = Engagement.objects.filter(
        project_id=engagement.project_id,
        category=Category.MANAGER,
        position=engagement.position,
        exited_on__isnull=True,
        judged_from__isnull=True,
    ).exclude(pk=engagement.pk)
    return not others.exists()


def engagement_exit(
    *, user: User, engagement: Engagement, exited_on: dt.date, settlement_confirmed: bool
) -> Engagement:
    """退场登记: needs the settlement confirmation (workload and wages settled, 中山 2019 上线通知 三(五)), may be
    dated back only a little (SMZ_EXIT_BACKDATE_DAYS), and the holder of a required position leaves only
    through an approved replacement (中山 2019 上线通知 三(十一))."""
    scope_of(user).authorize(engagement, "exit")
    if engagement.exited_on is not None:
        raise Conflict("exited_on", _("This engagement ended on %(date)s.") % {"date": engagement.exited_on})
    if not settlement_confirmed:
        raise ValidationError(
            {"settlement_confirmed": [_("An exit needs the signed settlement confirmation (退场确认书).")]}
        )
    if exited_on < engagement.entered_on:
        raise ValidationError(
            {"exited_on": [_("The exit date is before the entry date %(date)s.") % {"date": engagement.entered_on}]}
        )
    today = timezone.localdate()
    if exited_on > today:
        raise ValidationError({"exited_on": [_("The exit date is in the future.")]})
    allowance = settings.SMZ_EXIT_BACKDATE_DAYS
    if exited_on < today - dt.timedelta(days=allowance):
        raise ValidationError(
            {
                "exited_on": [
                    _("An exit may be dated at most %(days)d days back (it is recorded today, %(today)s).")
                    % {"days": allowance, "today": today.isoformat()}
                ]
            }
        )
    for validate in settings.SMZ_EXIT_VALIDATORS:
        import_string(validate)(engagement=engagement)
    if _holds_required_position(engagement):
        raise ValidationError(
            {
                "exited_on": [
                    _(
                        "This manager holds a position the permit requires: file a replacement request; "
                        "the holder stays until it is approved and the new holder has attended."
                    )
                ]
            }
        )
    with transaction.atomic():
        # Conditional update: two concurrent exits cannot both succeed.
        updated = Engagement.objects.filter(pk=engagement.pk, exited_on__isnull=True).update(
            exited_on=exited_on, settlement_confirmed=True, exit_recorded_by=user, exit_recorded_at=timezone.now()
        )
        if updated != 1:
            raise Conflict("exited_on", _("This engagement has already ended."))
        engagement.refresh_from_db()
        signals.engagement_exited.send(sender=Engagement, engagement=engagement)
    return engagement


def engagement_id_number_reveal(*, user: User, engagement: Engagement, request: HttpRequest | None = None) -> str:
    """The full ID number, for a user holding the permission, within their jurisdiction; audit-logged."""
    scope = scope_of(user)
    if not scope.may_reveal_id_numbers():
        raise PermissionDenied(_("You do not hold the permission to see full ID numbers."))
    scope.authorize(engagement, "view")
    number = engagement.person.reveal_id_number()
    audit_event_record(
        user=user,
        action=AuditAction.VIEW_UNMASKED,
        what=f"查看用工记录{engagement.pk}的完整身份证号",
        record_count=1,
        request=request,
        project_permit_no=engagement.project.permit_no,
    )
    return number


def identity_conflict_review(*, user: User, conflict: IdentityConflict) -> IdentityConflict:
    """Staff have looked into the conflict (called the contractor, checked the card): off the list."""
    scope_of(user).authorize(conflict, "review")
    IdentityConflict.objects.filter(pk=conflict.pk, reviewed_at__isnull=True).update(
        reviewed_at=timezone.now(), reviewed_by=user
    )
    conflict.refresh_from_db()
    return conflict


def engagement_card_checks_record(
    *, project_id: int, reads: list[tuple[int, dt.date, dt.datetime, dt.date | None]], received_at: dt.datetime
) -> int:
    """进场读卡校验: record the ID card reads that verify entries on the project, each `(person, day of the read,
    read at, card valid until)`, on the engagement running that day. Only the first read of an engagement is
    kept (a conditional update: a later read, or a concurrent one, changes nothing); answers how many
    engagements it verified."""
    verified = 0
    for person_id, day, read_at, valid_until in reads:
        verified += (
            Engagement.objects.filter(
                project_id=project_id, person_id=person_id, entered_on__lte=day, card_checked_at__isnull=True
            )
            .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=day))
            .update(card_checked_at=read_at, card_check_received_at=received_at, card_valid_until=valid_until)
        )
    return verified
