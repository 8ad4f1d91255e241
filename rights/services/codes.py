"""One-time codes (短信验证码): a worker signing in with his ID number and name, a complainant giving a phone.

A code is asked for a number. The answer is the same whether the platform holds that number or not (seed 004
does not make the platform an oracle of who works where): a row is written either way and counts against the
same limits; the text message goes only to the phone registered with the worker's engagement (or to the
complainant's own phone). Codes live five minutes and allow five tries; asking is limited per number and per
client address. Every code asked for and every sign-in is written to the audit log (the number never is).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.identity import InvalidIdNumber, parse_id_number
from projects.models import Engagement, Person
from rights.models import CodePurpose, OneTimeCode
from smz_platform.common import pii
from smz_platform.common.audit import audit_event_record
from smz_platform.common.errors import TooManyRequests
from smz_platform.common.models import AuditAction
from smz_platform.common.phones import MOBILE_MESSAGE, mobile_normalise
from smz_platform.common.tasks import sms_send_task

CODE_LIFETIME = dt.timedelta(minutes=5)
CODES_KEPT = dt.timedelta(days=1)  # the limits look back an hour; a day keeps a morning's abuse readable
CODE_TRIES = 5
# Asking for codes: one a minute and five an hour per number (a person's phone is not a pager for others),
# twenty an hour per client address (one machine trying many numbers).
PER_NUMBER_GAP = dt.timedelta(seconds=60)
PER_NUMBER_HOURLY = 5
PER_ADDRESS_HOURLY = 20


@dataclass(frozen=True)
class CodeAsked:
    """What the page keeps between asking and answering: the code's row (never whether anything was sent)."""

    code_id: int


def address_digest(address: str | None) -> str:
    """A client address as it is kept for the limits: a keyed digest, never the address of an anonymous visitor."""
    return pii.lookup_digest(f"address:{address or '-'}")


def _subject(purpose: str, number: str) -> str:
    return pii.lookup_digest(f"{purpose}:{number}")


def _code_digest(salt: str, code: str) -> str:
    return pii.lookup_digest(f"code:{salt}:{code}")


def _check_limits(*, subject: str, address: str, now: dt.datetime) -> None:
    hour_ago = now - dt.timedelta(hours=1)
    last = OneTimeCode.objects.filter(subject=subject).order_by("-created_at").values_list("created_at", flat=True)
    latest = last.first()
    if latest is not None and now - latest < PER_NUMBER_GAP:
        wait = int((PER_NUMBER_GAP - (now - latest)).total_seconds()) + 1
        raise TooManyRequests(_("A code was sent less than a minute ago. Ask again in %(s)d seconds.") % {"s": wait})
    if OneTimeCode.objects.filter(subject=subject, created_at__gte=hour_ago).count() >= PER_NUMBER_HOURLY:
        raise TooManyRequests(_("Too many codes were asked for this number in the last hour. Try again later."))
    if OneTimeCode.objects.filter(address=address, created_at__gte=hour_ago).count() >= PER_ADDRESS_HOURLY:
        raise TooManyRequests(_("Too many codes were asked from this address in the last hour. Try again later."))


def _issue(
    *, purpose: str, subject: str, phone: str, person: Person | None, address: str | None, request=None
) -> CodeAsked:
    now = timezone.now()
    where = address_digest(address)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    with transaction.atomic():
        # One asker at a time per number: two asks at once cannot both pass the one-a-minute limit.
        list(OneTimeCode.objects.select_for_update().filter(subject=subject).order_by("-created_at")[:1])
        _check_limits(subject=subject, address=where, now=now)
        row = OneTimeCode.objects.create(
            purpose=purpose,
            subject=subject,
            phone_digest=pii.lookup_digest(f"phone:{phone}") if phone else "",
            person=person,
            salt=salt,
            code_digest=_code_digest(salt, code),
            address=where,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        audit_event_record(
            user=None,
            username="匿名访客",
            action=AuditAction.CODE,
            what=str(OneTimeCode._meta.verbose_name) + f" {row.get_purpose_display()}",
            record_count=1 if phone else 0,
            request=request,
        )
    if phone:  # after the row is written (a code that cannot be redeemed is never sent)
        text = f"【建筑工人实名制】您的验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。"
        sms_send_task.delay(phone=phone, text=text)
    return CodeAsked(row.pk)


def worker_code_request(*, id_number: str, name: str, address: str | None, request=None) -> CodeAsked:
    """A worker asks to sign in: a code goes to the phone of his latest engagement that has one, when the number
    and the name are his. A number held under another name, a number never engaged, an engagement without a
    phone: the same answer, the same limits, and no message."""
    try:
        number = parse_id_number(id_number.strip(), today=timezone.localdate()).number
    except InvalidIdNumber as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give your name as registered.")]})
    person = Person.objects.filter(id_number_digest=pii.lookup_digest(number)).first()
    phone = ""
    if person is not None and person.name == name:
        engagement = (
            Engagement.objects.filter(person=person).exclude(phone_encrypted="").order_by("-entered_on", "-id").first()
        )
        phone = engagement.reveal_phone() if engagement is not None else ""
    if not phone:
        person = None
    return _issue(
        purpose=CodePurpose.WORKER,
        subject=_subject(CodePurpose.WORKER, number),
        phone=phone,
        person=person,
        address=address,
        request=request,
    )


def complainant_code_request(*, phone: str, address: str | None, request=None) -> CodeAsked:
    """A complainant who gives his phone proves it is his with a code sent to it."""
    mobile = mobile_normalise(phone)
    if mobile is None:
        raise ValidationError({"phone": [str(MOBILE_MESSAGE)]})
    return _issue(
        purpose=CodePurpose.COMPLAINANT,
        subject=_subject(CodePurpose.COMPLAINANT, mobile),
        phone=mobile,
        person=None,
        address=address,
        request=request,
    )


def code_redeem(*, code_id: int | None, code: str, purpose: str, phone: str = "", request=None) -> OneTimeCode:
    """Spend a code: the right digits within five minutes and five tries, once. A wrong code costs a try (a
    conditional update, so that tries at once cannot exceed five); the answer never says whether the number
    was known. For a complainant, the phone must be the one the code was sent to."""
    wrong = ValidationError({"code": [_("The code is wrong or has expired. Ask for a new one.")]})
    code = (code or "").strip()
    if not code_id or not code.isdigit() or len(code) != 6:
        raise wrong
    now = timezone.now()
    row = OneTimeCode.objects.filter(pk=code_id, purpose=purpose).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise wrong
    spent = OneTimeCode.objects.filter(pk=row.pk, tries__lt=CODE_TRIES, used_at__isnull=True).update(
        tries=F("tries") + 1
    )
    if spent != 1:
        raise ValidationError({"code": [_("Five wrong tries: this code no longer works. Ask for a new one.")]})
    right = hmac.compare_digest(row.code_digest, _code_digest(row.salt, code))
    if phone:
        right = right and hmac.compare_digest(row.phone_digest, pii.lookup_digest(f"phone:{mobile_normalise(phone)}"))
    if purpose == CodePurpose.WORKER:
        right = right and row.person_id is not None  # nothing was sent: no code can be right
    if not right:
        raise wrong
    if OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise wrong  # spent meanwhile by another request
    if purpose == CodePurpose.WORKER:
        audit_event_record(
            user=None,
            username=f"工人 {row.person.name}",
            action=AuditAction.SIGN_IN,
            what="工人查询本人记录",
            record_count=1,
            request=request,
        )
    return row


def codes_purge(*, now: dt.datetime | None = None) -> int:
    """Forget the codes asked for more than a day ago (the limits read only the last hour)."""
    deleted, _by_model = OneTimeCode.objects.filter(created_at__lt=(now or timezone.now()) - CODES_KEPT).delete()
    return deleted
