"""举报投诉 (seed 004 §二(三)): anyone files a complaint about a project, from its rights board or the public site;
the project's district answers it, links it to a case, closes it with a reason and whether it was true.

What an abuser would try, and what stops it: a flood from one machine or against one project (limits per
client address and per project, 429); someone else's phone named as the complainant's (a named complaint needs a
code sent to that phone); a script or a page saved as a "photo" (checked by its bytes, JPEG or PNG only, three at
most); a complaint written half (photos checked before anything is written, one transaction); a tracking code
guessed (rights.tracking); a closed complaint reopened or answered (conditional updates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Case
from inspections.selectors import policies_in_force
from projects.models import Engagement, Enterprise, Project, User
from projects.scope import scope_of
from rights.models import (
    CodePurpose,
    Complaint,
    ComplaintKind,
    ComplaintPhoto,
    ComplaintReply,
    ComplaintSource,
    ComplaintState,
)
from rights.services.codes import address_digest, code_redeem
from rights.tracking import tracking_code_new
from smz_platform.common import pii
from smz_platform.common.errors import Conflict, TooManyRequests
from smz_platform.common.files import file_check, file_store
from smz_platform.common.phones import MOBILE_MESSAGE, mobile_normalise

MAX_PHOTOS = 3
PHOTO_TYPES = ("image/jpeg", "image/png")
TEXT_MIN, TEXT_MAX = 5, 2000
PER_ADDRESS_HOURLY = 5  # complaints from one client address in an hour
PER_PROJECT_DAILY = 30  # complaints about one project in a day (a campaign against a site is still read whole)


@dataclass(frozen=True)
class Photo:
    name: str
    content: bytes


@dataclass(frozen=True)
class ComplaintForm:
    """What a complainant gives (the page's form, cleaned of its own types)."""

    kind: str
    text: str
    enterprise_id: int | None = None
    name: str = ""
    phone: str = ""
    code_id: int | None = None
    code: str = ""
    photos: tuple[Photo, ...] = field(default_factory=tuple)


def complaint_firms(project: Project) -> list[Enterprise]:
    """The firms a complaint about the project may name: its participants (the general contractor, the
    subcontractors, the labour firms, …) and its workers' employers."""
    ids = set(project.participants.values_list("enterprise_id", flat=True))
    ids |= set(Engagement.objects.filter(project=project).values_list("employer_id", flat=True).distinct())
    return list(Enterprise.objects.filter(pk__in=ids).order_by("name"))


def _check(project: Project, form: ComplaintForm, *, signed_in: bool) -> tuple[Enterprise | None, str]:
    errors: dict[str, list[str]] = {}
    if form.kind not in ComplaintKind.values:
        errors["kind"] = [_("Choose what the complaint is about.")]
    text = form.text.strip()
    if len(text) < TEXT_MIN:
        errors["text"] = [_("Say what happened (at least %(n)d characters).") % {"n": TEXT_MIN}]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("Say it in at most %(n)d characters.") % {"n": TEXT_MAX}]
    enterprise = None
    if form.enterprise_id is not None:
        enterprise = next((e for e in complaint_firms(project) if e.pk == form.enterprise_id), None)
        if enterprise is None:
            errors["enterprise"] = [_("Choose one of the firms of this project.")]
    elif form.kind == ComplaintKind.WAGES:
        errors["enterprise"] = [_("A complaint about wages names the firm that owes them.")]
    if len(form.name.strip()) > 64:
        errors["name"] = [_("The name is longer than 64 characters.")]
    phone = ""
    if form.phone.strip():
        phone = mobile_normalise(form.phone) or ""
        if not phone:
            errors["phone"] = [str(MOBILE_MESSAGE)]
        elif not form.code.strip():
            errors["code"] = [_("Ask for a code to your phone and type it here (or leave the phone empty).")]
    elif form.name.strip() and not signed_in:
        errors["phone"] = [_("A named complaint gives a mobile number, proved with a code; or leave both empty.")]
    if len(form.photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]
    else:
        for photo in form.photos:
            try:
                file_check(content=photo.content, field="photos", allowed=PHOTO_TYPES)
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.message_dict["photos"])
    if errors:
        raise ValidationError(errors)
    return enterprise, phone


def _check_limits(project: Project, address: str, now: dt.datetime) -> None:
    if Complaint.objects.filter(address=address, filed_at__gte=now - dt.timedelta(hours=1)).count() >= (
        PER_ADDRESS_HOURLY
    ):
        raise TooManyRequests(_("Too many complaints from this address in the last hour. Try again later."))
    if Complaint.objects.filter(project=project, filed_at__gte=now - dt.timedelta(days=1)).count() >= (
        PER_PROJECT_DAILY
    ):
        raise TooManyRequests(
            _("This project has received many complaints today; call the complaint line, or try again tomorrow.")
        )


def complaint_file(
    *,
    project: Project,
    form: ComplaintForm,
    source: str,
    address: str | None,
    engagement: Engagement | None = None,
    request=None,
) -> Complaint:
    """File a complaint: checked whole (photos included) before the code is spent and anything is written; the
    handling deadline is the project's policy's `complaint_days` from today."""
    enterprise, phone = _check(project, form, signed_in=engagement is not None)
    now = timezone.now()
    where = address_digest(address)
    if source != ComplaintSource.SETTLEMENT:
        _check_limits(project, where, now)
    if phone:
        code_redeem(code_id=form.code_id, code=form.code, purpose=CodePurpose.COMPLAINANT, phone=phone, request=request)
    if engagement is not None and not phone:
        phone = engagement.reveal_phone()
    today = timezone.localdate()
    days = policies_in_force(today).for_project(project).complaint_days
    with transaction.atomic():
        complaint = Complaint.objects.create(
            project=project,
            kind=form.kind,
            text=form.text.strip(),
            enterprise=enterprise,
            source=source,
            name=form.name.strip(),
            phone_encrypted=pii.encrypt_as(phone, pii.PHONE) if phone else "",
            phone_masked=pii.mask_phone(phone) if phone else "",
            engagement=engagement,
            tracking_code=tracking_code_new(),
            address=where,
            filed_at=now,
            deadline=today + dt.timedelta(days=days),
        )
        for photo in form.photos:
            file_store(
                ComplaintPhoto(complaint=complaint, original_name=photo.name[:200]),
                content=photo.content,
                allowed=PHOTO_TYPES,
            )
    return complaint


def _handle(user: User, complaint: Complaint) -> None:
    scope_of(user).authorize(complaint, "handle")


def complaint_reply(*, user: User, complaint: Complaint, text: str) -> ComplaintReply:
    """An answer the complainant reads with his tracking code; the complaint is then 已答复 until closed."""
    _handle(user, complaint)
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write the reply.")]})
    with transaction.atomic():
        moved = (
            Complaint.objects.filter(pk=complaint.pk)
            .exclude(state=ComplaintState.CLOSED)
            .update(state=ComplaintState.REPLIED)
        )
        if moved != 1:
            raise Conflict("state", _("The complaint is closed; it takes no more replies."))
        reply = ComplaintReply.objects.create(complaint=complaint, text=text[:4000], at=timezone.now(), by=user)
    complaint.refresh_from_db()
    return reply


def complaint_case_link(*, user: User, complaint: Complaint, case: Case | None) -> Complaint:
    """Link the complaint to a case of its own project (the case's measures then answer it), or unlink it."""
    _handle(user, complaint)
    if case is not None and case.project_id != complaint.project_id:
        raise ValidationError({"case": [_("Link a case of the complaint's own project.")]})
    Complaint.objects.filter(pk=complaint.pk).update(case=case)
    complaint.refresh_from_db()
    return complaint


def complaint_close(*, user: User, complaint: Complaint, upheld: bool | None, reason: str) -> Complaint:
    """办结: closed with the reason and whether the complaint was found true (a firm's integrity record counts
    it either way, and says which)."""
    _handle(user, complaint)
    errors = {}
    if upheld is None:
        errors["upheld"] = [_("Say whether the complaint was found true.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for closing the complaint.")]
    if errors:
        raise ValidationError(errors)
    closed = (
        Complaint.objects.filter(pk=complaint.pk)
        .exclude(state=ComplaintState.CLOSED)
        .update(
            state=ComplaintState.CLOSED,
            upheld=upheld,
            closing_reason=reason.strip(),
            closed_at=timezone.now(),
            closed_by=user,
        )
    )
    if closed != 1:
        raise Conflict("state", _("The complaint is already closed."))
    complaint.refresh_from_db()
    return complaint
