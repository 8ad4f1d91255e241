"""Measures (惩戒措施): issued by staff (or, for its notice, the supervision firm), proposed by the
escalation and confirmed by staff, withdrawn; what a standing measure does (credit records, a
blacklisted vendor); the measure's own documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Device
from inspections.choices import STANDING, MeasureKind, MeasureState
from inspections.models import Case, Measure, MeasureDocument
from inspections.rules import codes, rule
from inspections.services.casework import (
    bureau_name,
    case_event,
    contractor_of,
    measure_move,
    require_open,
)
from inspections.services.credit import credit_records_create, credit_records_void
from projects.models import Enterprise, Person, User
from projects.scope import scope_of
from smz_platform.common.files import file_store


@dataclass(frozen=True)
class MeasureIn:
    kind: str
    issued_on: dt.date
    basis: str = ""
    issuing_body: str = ""
    document_no: str = ""
    deadline: dt.date | None = None
    points: int | None = None
    fine_yuan: Decimal | None = None
    target_enterprise: Enterprise | None = None
    target_person: Person | None = None
    note: str = ""


def _validate_measure(case: Case, data: MeasureIn, *, today: dt.date) -> None:
    if data.kind not in MeasureKind.values:
        raise ValidationError({"kind": [_("Unknown measure kind.")]})
    if data.basis and data.basis not in codes():
        raise ValidationError({"basis": [_("Unknown finding category %(code)s.") % {"code": data.basis}]})
    if data.basis and rule(data.basis).indicator:
        message = _("%(code)s is a target of the campaign, not a violation: no measure is taken on it.")
        raise ValidationError({"basis": [message % {"code": data.basis}]})
    if data.issued_on > today:
        raise ValidationError({"issued_on": [_("A measure cannot be issued in the future.")]})
    if data.kind in (MeasureKind.RECTIFICATION, MeasureKind.SUPERVISION_NOTICE) and data.deadline is None:
        raise ValidationError({"deadline": [_("A rectification order needs its deadline.")]})
    if data.deadline is not None and data.deadline < data.issued_on:
        raise ValidationError({"deadline": [_("The deadline cannot precede the issue date.")]})
    if data.kind == MeasureKind.PENALTY and (data.fine_yuan is None or data.fine_yuan <= 0):
        raise ValidationError({"fine_yuan": [_("An administrative penalty states its fine in yuan.")]})
    if data.fine_yuan is not None and data.kind != MeasureKind.PENALTY:
        raise ValidationError({"fine_yuan": [_("Only an administrative penalty carries a fine.")]})
    if data.points is not None and data.kind != MeasureKind.CREDIT:
        raise ValidationError({"points": [_("Points are given with a credit punishment.")]})
    vendor = data.target_enterprise
    if data.kind == MeasureKind.VENDOR_BLACKLIST and (vendor is None or not vendor.is_vendor):
        raise ValidationError({"target_enterprise": [_("Name the device vendor to blacklist.")]})
    _check_targets(case, data)


def _check_targets(case: Case, data: MeasureIn) -> None:
    """A measure falls on the case's own project: a firm that takes part in it (or a vendor whose devices
    serve it), a person engaged on it. Anyone else is refused with the answer an unknown one gets, so
    that staff cannot reach, or probe, people and firms of another jurisdiction through a measure."""
    project = case.project
    firm = data.target_enterprise
    if firm is not None:
        takes_part = project.participants.filter(enterprise=firm).exists()
        serves = firm.is_vendor and project.devices.filter(vendor=firm).exists()
        if not (takes_part or serves):
            raise ValidationError(
                {"target_enterprise": [_("No enterprise of this case's project has this credit code.")]}
            )
    person = data.target_person
    if person is not None and not project.engagements.filter(person=person).exists():
        raise ValidationError({"target_person": [_("Nobody engaged on this case's project has this id.")]})


def _defaults(case: Case, data: MeasureIn) -> dict:
    target = data.target_enterprise
    if target is None and data.kind not in (MeasureKind.VENDOR_BLACKLIST,):
        target = contractor_of(case.project)
    return {
        "basis": data.basis,
        "issuing_body": (data.issuing_body.strip() or bureau_name(case.project))[:128],
        "document_no": data.document_no.strip()[:64],
        "deadline": data.deadline,
        "points": data.points,
        "fine_yuan": data.fine_yuan,
        "target_enterprise": target,
        "target_person": data.target_person,
        "note": data.note,
    }


def _standing_effects(measure: Measure) -> None:
    """What a measure does once it stands: credit records; a blacklisted vendor and its devices."""
    credit_records_create(measure=measure)
    if measure.kind == MeasureKind.VENDOR_BLACKLIST:
        vendor = measure.target_enterprise
        assert vendor is not None  # a vendor's blacklisting names the vendor (measure_propose refuses it otherwise)
        # Blacklisted since the earliest standing blacklisting; another one of the same vendor adds nothing.
        Enterprise.objects.filter(pk=vendor.pk).filter(
            Q(blacklisted_on__isnull=True) | Q(blacklisted_on__gt=measure.issued_on)
        ).update(blacklisted_on=measure.issued_on)
        Device.objects.filter(vendor=vendor, vendor_blacklisted_at__isnull=True).update(
            vendor_blacklisted_at=timezone.now()
        )


def measure_issue(*, user: User, case: Case, data: MeasureIn) -> Measure:
    """Staff issue a measure; the project's supervision firm issues its supervision notice."""
    scope = scope_of(user)
    scope.authorize(case, "issue_notice" if data.kind == MeasureKind.SUPERVISION_NOTICE else "handle")
    require_open(case)
    _validate_measure(case, data, today=timezone.localdate())
    fields = _defaults(case, data)
    if data.kind == MeasureKind.SUPERVISION_NOTICE and scope.allows(case.project, "supervise"):
        fields["issuing_body"] = scope.firm.name
    with transaction.atomic():
        measure = Measure.objects.create(
            case=case,
            kind=data.kind,
            state=MeasureState.ISSUED,
            issued_on=data.issued_on,
            created_by=user,
            created_at=timezone.now(),
            issued_by=user,
            **fields,
        )
        _standing_effects(measure)
        case_event(case, "measure_issued", by=user, measure=measure, note=measure.get_kind_display())
    return measure


def measure_confirm(
    *,
    user: User,
    measure: Measure,
    issued_on: dt.date | None = None,
    document_no: str = "",
    fine_yuan: Decimal | None = None,
    deadline: dt.date | None = None,
) -> Measure:
    """Staff confirm a measure the escalation proposed: it is issued from then on."""
    scope_of(user).authorize(measure, "handle")
    today = timezone.localdate()
    issued_on = issued_on or today
    fine = fine_yuan if fine_yuan is not None else measure.fine_yuan
    deadline = deadline or measure.deadline
    _validate_measure(
        measure.case,
        MeasureIn(
            kind=measure.kind,
            issued_on=issued_on,
            basis=measure.basis,
            deadline=deadline,
            fine_yuan=fine,
            points=measure.points,
            target_enterprise=measure.target_enterprise,
        ),
        today=today,
    )
    with transaction.atomic():
        measure_move(
            measure,
            MeasureState.PROPOSED,
            state=MeasureState.ISSUED,
            issued_on=issued_on,
            issued_by=user,
            document_no=document_no.strip()[:64] or measure.document_no,
            fine_yuan=fine,
            deadline=deadline,
        )
        _standing_effects(measure)
        case_event(measure.case, "measure_confirmed", by=user, measure=measure, note=measure.get_kind_display())
    return measure


def measure_withdraw(*, user: User, measure: Measure, reason: str) -> Measure:
    """A proposal declined, or a measure revoked (on review or appeal): it no longer stands."""
    scope_of(user).authorize(measure, "handle")
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for withdrawing the measure.")]})
    with transaction.atomic():
        measure_move(
            measure,
            [MeasureState.PROPOSED, MeasureState.ISSUED, MeasureState.ANSWERED],
            state=MeasureState.WITHDRAWN,
            closed_at=timezone.now(),
        )
        credit_records_void(measure=measure)
        if measure.kind == MeasureKind.VENDOR_BLACKLIST:
            assert measure.target_enterprise is not None  # as when it stood
            _lift_blacklist(measure.target_enterprise)
        case_event(measure.case, "measure_withdrawn", by=user, measure=measure, note=reason.strip())
    return measure


def _lift_blacklist(vendor: Enterprise) -> None:
    still = Measure.objects.filter(kind=MeasureKind.VENDOR_BLACKLIST, target_enterprise=vendor, state__in=STANDING)
    earliest = still.aggregate(first=Min("issued_on"))["first"]
    Enterprise.objects.filter(pk=vendor.pk).update(blacklisted_on=earliest)
    if earliest is None:
        Device.objects.filter(vendor=vendor).update(vendor_blacklisted_at=None)


def measure_document_add(*, user: User, measure: Measure, name: str, content: bytes) -> MeasureDocument:
    """The measure's own document (the order, the decision), added by whoever issued such a measure."""
    scope_of(user).authorize(measure, "add_document")
    return store_document(user=user, measure=measure, reply=None, name=name, content=content)


def store_document(*, user: User, measure: Measure, reply, name: str, content: bytes) -> MeasureDocument:
    document = MeasureDocument(measure=measure, reply=reply, original_name=name[:200], uploaded_by=user)
    return file_store(document, content=content)
