"""查处: cases, their measures, the contractor's rectification replies, and the nightly escalation.

Every change is a conditional update on the state it expects (two staff, or staff and the nightly
task, never both win) and leaves a CaseEvent with who and when.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Device
from inspections import ladder
from inspections.choices import (
    ANSWERABLE,
    STANDING,
    CaseState,
    FindingCategory,
    MeasureKind,
    MeasureState,
    ReplyState,
)
from inspections.models import (
    Alert,
    AlertState,
    Case,
    CaseEvent,
    InspectionFinding,
    Measure,
    MeasureDocument,
    RectificationReply,
)
from inspections.selectors import is_contractor_of, is_staff_for, is_supervisor_of
from inspections.services.credit import credit_records_create, credit_records_void
from projects.choices import Category, ParticipantRole
from projects.models import Engagement, Enterprise, Person, Project, User
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_check, file_store

# Rules judged once a month: whether they still fire is known only when the month is judged.
MONTHLY_RULES = {"R11", "R16"}
DEFAULT_RECTIFICATION_DAYS = 7


def _event(case: Case, action: str, *, by: User | None, measure: Measure | None = None, note: str = "") -> None:
    CaseEvent.objects.create(case=case, measure=measure, action=action, note=note, by=by, at=timezone.now())


def _require_staff(user: User, project: Project) -> None:
    if not is_staff_for(user, project):
        raise PermissionDenied(_("Only the regulators of the project's district handle its cases."))


def _require_open(case: Case) -> None:
    if case.state != CaseState.OPEN:
        raise Conflict("state", _("The case is closed."))


def bureau_name(project: Project) -> str:
    """The issuing body of the district's measures: 海曙区住房和城乡建设局."""
    return f"{project.district.name}住房和城乡建设局"


def contractor_of(project: Project) -> Enterprise | None:
    return (
        Enterprise.objects.filter(participations__project=project, participations__role=ParticipantRole.CONTRACTOR)
        .order_by("pk")
        .first()
    )


def project_manager_of(project: Project) -> Person | None:
    engagement = (
        Engagement.objects.filter(
            project=project, category=Category.MANAGER, position="project_manager", exited_on__isnull=True
        )
        .select_related("person")
        .order_by("entered_on", "pk")
        .first()
    )
    return engagement.person if engagement else None


# --- Cases -----------------------------------------------------------------------------------------


def _gather(case: Case, *, alert_ids: list[int], finding_ids: list[int]) -> tuple[list[Alert], list[InspectionFinding]]:
    alerts = list(Alert.objects.filter(pk__in=alert_ids, project=case.project))
    if len(alerts) != len(set(alert_ids)):
        raise ValidationError({"alerts": [_("Every alert must be one of this project's.")]})
    if any(a.state == AlertState.DISMISSED for a in alerts):
        raise ValidationError({"alerts": [_("A dismissed alert is not a finding; it cannot join a case.")]})
    findings = list(InspectionFinding.objects.filter(pk__in=finding_ids, inspection__project=case.project))
    if len(findings) != len(set(finding_ids)):
        raise ValidationError({"findings": [_("Every finding must come from an inspection of this project.")]})
    if any(f.case_id not in (None, case.pk) for f in findings):
        raise ValidationError({"findings": [_("A finding belongs to one case only.")]})
    return alerts, findings


def case_open(
    *, user: User, project: Project, title: str, alert_ids: list[int] = (), finding_ids: list[int] = ()
) -> Case:
    _require_staff(user, project)
    if not title.strip():
        raise ValidationError({"title": [_("Give the case a title.")]})
    with transaction.atomic():
        case = Case.objects.create(project=project, title=title.strip()[:200], opened_by=user, opened_at=timezone.now())
        alerts, findings = _gather(case, alert_ids=list(alert_ids), finding_ids=list(finding_ids))
        case.alerts.add(*alerts)
        InspectionFinding.objects.filter(pk__in=[f.pk for f in findings]).update(case=case)
        _event(
            case,
            "opened",
            by=user,
            note=_("%(alerts)d alerts, %(findings)d inspection findings")
            % {"alerts": len(alerts), "findings": len(findings)},
        )
    return case


def case_attach(*, user: User, case: Case, alert_ids: list[int] = (), finding_ids: list[int] = ()) -> Case:
    _require_staff(user, case.project)
    _require_open(case)
    with transaction.atomic():
        alerts, findings = _gather(case, alert_ids=list(alert_ids), finding_ids=list(finding_ids))
        case.alerts.add(*alerts)
        InspectionFinding.objects.filter(pk__in=[f.pk for f in findings]).update(case=case)
        _event(
            case,
            "attached",
            by=user,
            note=_("%(alerts)d alerts, %(findings)d inspection findings")
            % {"alerts": len(alerts), "findings": len(findings)},
        )
    return case


def case_close(*, user: User, case: Case, note: str) -> Case:
    _require_staff(user, case.project)
    if not note.strip():
        raise ValidationError({"note": [_("Say how the case ends.")]})
    pending = case.measures.filter(state__in=[MeasureState.PROPOSED, MeasureState.ANSWERED]).exists() or (
        case.measures.filter(kind__in=ANSWERABLE, state=MeasureState.ISSUED).exists()
    )
    if pending:
        raise Conflict("state", _("Orders of this case are still running or proposals await a decision."))
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, state=CaseState.OPEN).update(
            state=CaseState.CLOSED, closed_by=user, closed_at=timezone.now(), closing_note=note.strip()
        )
        if updated != 1:
            raise Conflict("state", _("The case is closed."))
        _event(case, "closed", by=user, note=note.strip())
    case.refresh_from_db()
    return case


# --- Measures --------------------------------------------------------------------------------------


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
    if data.basis and data.basis not in FindingCategory.values:
        raise ValidationError({"basis": [_("Unknown finding category %(code)s.") % {"code": data.basis}]})
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
        # Blacklisted since the earliest standing blacklisting; another one of the same vendor adds nothing.
        Enterprise.objects.filter(pk=vendor.pk).filter(
            Q(blacklisted_on__isnull=True) | Q(blacklisted_on__gt=measure.issued_on)
        ).update(blacklisted_on=measure.issued_on)
        Device.objects.filter(vendor=vendor, vendor_blacklisted_at__isnull=True).update(
            vendor_blacklisted_at=timezone.now()
        )


def measure_issue(*, user: User, case: Case, data: MeasureIn) -> Measure:
    """Staff issue a measure; the project's supervision firm issues its supervision notice."""
    if data.kind == MeasureKind.SUPERVISION_NOTICE:
        if not (is_supervisor_of(user, case.project) or is_staff_for(user, case.project)):
            raise PermissionDenied(_("Supervision notices are issued by the project's supervision firm."))
    else:
        _require_staff(user, case.project)
    _require_open(case)
    _validate_measure(case, data, today=timezone.localdate())
    fields = _defaults(case, data)
    if data.kind == MeasureKind.SUPERVISION_NOTICE and is_supervisor_of(user, case.project):
        fields["issuing_body"] = user.enterprise.name
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
        _event(case, "measure_issued", by=user, measure=measure, note=measure.get_kind_display())
    return measure


def _move(measure: Measure, expected, **fields) -> None:
    expected = [expected] if isinstance(expected, str) else list(expected)
    if Measure.objects.filter(pk=measure.pk, state__in=expected).update(**fields) != 1:
        raise Conflict(
            "state",
            _("The measure has already moved on (now: %(state)s).")
            % {"state": Measure.objects.get(pk=measure.pk).get_state_display()},
        )
    measure.refresh_from_db()


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
    _require_staff(user, measure.case.project)
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
        _move(
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
        _event(measure.case, "measure_confirmed", by=user, measure=measure, note=measure.get_kind_display())
    return measure


def measure_withdraw(*, user: User, measure: Measure, reason: str) -> Measure:
    """A proposal declined, or a measure revoked (on review or appeal): it no longer stands."""
    _require_staff(user, measure.case.project)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for withdrawing the measure.")]})
    with transaction.atomic():
        _move(
            measure,
            [MeasureState.PROPOSED, MeasureState.ISSUED, MeasureState.ANSWERED],
            state=MeasureState.WITHDRAWN,
            closed_at=timezone.now(),
        )
        credit_records_void(measure=measure)
        if measure.kind == MeasureKind.VENDOR_BLACKLIST:
            _lift_blacklist(measure.target_enterprise)
        _event(measure.case, "measure_withdrawn", by=user, measure=measure, note=reason.strip())
    return measure


def _lift_blacklist(vendor: Enterprise) -> None:
    still = Measure.objects.filter(kind=MeasureKind.VENDOR_BLACKLIST, target_enterprise=vendor, state__in=STANDING)
    earliest = still.aggregate(first=Min("issued_on"))["first"]
    Enterprise.objects.filter(pk=vendor.pk).update(blacklisted_on=earliest)
    if earliest is None:
        Device.objects.filter(vendor=vendor).update(vendor_blacklisted_at=None)


def measure_document_add(*, user: User, measure: Measure, name: str, content: bytes) -> MeasureDocument:
    """The measure's own document (the order, the decision), added by whoever issued such a measure."""
    if not (
        is_staff_for(user, measure.case.project)
        or (measure.kind == MeasureKind.SUPERVISION_NOTICE and is_supervisor_of(user, measure.case.project))
    ):
        raise PermissionDenied(_("Only the issuing side adds the measure's documents."))
    return _store_document(user=user, measure=measure, reply=None, name=name, content=content)


def _store_document(*, user: User, measure: Measure, reply, name: str, content: bytes) -> MeasureDocument:
    document = MeasureDocument(measure=measure, reply=reply, original_name=name[:200], uploaded_by=user)
    return file_store(document, content=content)


# --- Rectification replies -------------------------------------------------------------------------


def reply_submit(*, user: User, measure: Measure, text: str, files: list[tuple[str, bytes]] = ()) -> RectificationReply:
    """整改回复: the contractor answers an order with its report and attachments."""
    if not is_contractor_of(user, measure.case.project):
        raise PermissionDenied(_("Only the project's general contractor answers its orders."))
    if measure.kind not in ANSWERABLE:
        raise ValidationError({"measure": [_("This measure is not answered with a rectification report.")]})
    if not text.strip():
        raise ValidationError({"text": [_("Describe the rectification.")]})
    for _name, content in files:
        file_check(content=content)  # every file checked before anything is written
    with transaction.atomic():
        _move(measure, MeasureState.ISSUED, state=MeasureState.ANSWERED)
        reply = RectificationReply.objects.create(
            measure=measure, text=text.strip(), submitted_by=user, submitted_at=timezone.now()
        )
        for name, content in files:
            _store_document(user=user, measure=measure, reply=reply, name=name, content=content)
        _event(measure.case, "reply_submitted", by=user, measure=measure)
    return reply


def reply_review(*, user: User, reply: RectificationReply, accept: bool, note: str = "") -> RectificationReply:
    """Staff (or, for its notice, the supervision firm) accept the rectification, closing the order, or
    reject it, and the order runs on to its deadline."""
    measure = reply.measure
    project = measure.case.project
    supervisor = measure.kind == MeasureKind.SUPERVISION_NOTICE and is_supervisor_of(user, project)
    if not (is_staff_for(user, project) or supervisor):
        raise PermissionDenied(_("Only the issuing side reviews a rectification report."))
    if not accept and not note.strip():
        raise ValidationError({"note": [_("Say why the rectification is rejected.")]})
    now = timezone.now()
    with transaction.atomic():
        updated = RectificationReply.objects.filter(pk=reply.pk, state=ReplyState.SUBMITTED).update(
            state=ReplyState.ACCEPTED if accept else ReplyState.REJECTED,
            reviewed_by=user,
            reviewed_at=now,
            review_note=note.strip(),
        )
        if updated != 1:
            raise Conflict("state", _("The report has already been reviewed."))
        if accept:
            _move(measure, MeasureState.ANSWERED, state=MeasureState.CLOSED, closed_at=now)
        else:
            _move(measure, MeasureState.ANSWERED, state=MeasureState.ISSUED)
        _event(
            measure.case, "reply_accepted" if accept else "reply_rejected", by=user, measure=measure, note=note.strip()
        )
    reply.refresh_from_db()
    return reply


# --- The escalation ladder (nightly) ---------------------------------------------------------------


def still_fires(*, project_id: int, basis: str, deadline: dt.date) -> bool:
    """The rule that caused an order fired after its deadline: an alert (not dismissed) whose period
    reaches past the deadline, or an inspection after the deadline finding the same category."""
    alert = (
        Alert.objects.filter(project_id=project_id, rule=basis, period_end__gt=deadline)
        .exclude(state=AlertState.DISMISSED)
        .exists()
    )
    return (
        alert
        or InspectionFinding.objects.filter(
            inspection__project_id=project_id, category=basis, inspection__day__gt=deadline
        ).exists()
    )


def _judged(basis: str, deadline: dt.date, today: dt.date) -> bool:
    """Whether the days after the deadline have been judged: a monthly rule waits for its month's end."""
    if basis not in MONTHLY_RULES:
        return True
    after = deadline + dt.timedelta(days=1)
    month_end = after.replace(day=calendar.monthrange(after.year, after.month)[1])
    return today > month_end


@dataclass(frozen=True)
class EscalationCounts:
    escalated: int = 0
    closed: int = 0
    proposed: int = 0
    waiting: int = 0


def measures_escalate(*, today: dt.date) -> EscalationCounts:
    """For every order past its deadline and not answered: if its rule still fires, propose the next
    measures of the ladder (staff confirm them); if the rule stopped firing, the order is complied with."""
    escalated = closed = proposed = waiting = 0
    overdue = Measure.objects.filter(kind__in=ANSWERABLE, state=MeasureState.ISSUED, deadline__lt=today).select_related(
        "case", "case__project", "case__project__district"
    )
    for measure in overdue:
        project = measure.case.project
        if not measure.basis:
            waiting += 1  # nothing to judge by: staff decide
            continue
        if not _judged(measure.basis, measure.deadline, today):
            waiting += 1
            continue
        now = timezone.now()
        with transaction.atomic():
            if not still_fires(project_id=project.pk, basis=measure.basis, deadline=measure.deadline):
                if (
                    Measure.objects.filter(pk=measure.pk, state=MeasureState.ISSUED).update(
                        state=MeasureState.CLOSED, closed_at=now
                    )
                    == 1
                ):
                    _event(
                        measure.case,
                        "measure_closed",
                        by=None,
                        measure=measure,
                        note=_("%(rule)s no longer fires after the deadline.") % {"rule": measure.basis},
                    )
                    closed += 1
                continue
            if (
                Measure.objects.filter(pk=measure.pk, state=MeasureState.ISSUED).update(state=MeasureState.ESCALATED)
                != 1
            ):
                continue  # staff or a concurrent run moved it first
            escalated += 1
            _event(
                measure.case,
                "measure_escalated",
                by=None,
                measure=measure,
                note=_("%(rule)s still fires after the deadline %(deadline)s.")
                % {"rule": measure.basis, "deadline": measure.deadline.isoformat()},
            )
            for kind in ladder.next_measures(kind=measure.kind, basis=measure.basis):
                proposed += _propose(measure, kind, today=today, now=now)
    return EscalationCounts(escalated=escalated, closed=closed, proposed=proposed, waiting=waiting)


def _propose(source: Measure, kind: str, *, today: dt.date, now: dt.datetime) -> int:
    project = source.case.project
    fields = {"target_enterprise": contractor_of(project), "issuing_body": bureau_name(project)}
    if kind in (MeasureKind.PENALTY, MeasureKind.CREDIT):
        # Seed 001 Annex 1: the penalty and the bad-conduct record fall on the project manager too.
        fields["target_person"] = project_manager_of(project)
    if kind == MeasureKind.PENALTY:
        fields["fine_yuan"] = Decimal(ladder.ARTICLE_55_MIN_FINE)
    if kind == MeasureKind.RECTIFICATION:
        fields["deadline"] = today + dt.timedelta(days=DEFAULT_RECTIFICATION_DAYS)
    try:
        with transaction.atomic():
            proposal = Measure.objects.create(
                case=source.case,
                kind=kind,
                state=MeasureState.PROPOSED,
                basis=source.basis,
                escalated_from=source,
                created_at=now,
                note=_("Proposed by the escalation: %(kind)s overdue since %(deadline)s.")
                % {"kind": source.get_kind_display(), "deadline": source.deadline.isoformat()},
                **fields,
            )
    except IntegrityError:
        return 0  # proposed by an earlier run (one proposal per overdue order and kind)
    _event(source.case, "measure_proposed", by=None, measure=proposal, note=proposal.get_kind_display())
    return 1
