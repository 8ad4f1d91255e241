"""The worker's own word on his exit settlement (seed 003 §三(五): 本人确认签字): signed in with his code, he
confirms the workload and wages recorded at his exit, or disputes them; a dispute is a complaint about wages
against his employer, handled by the district like any other. He answers once: a conditional update, so that
a confirmation cannot be taken back into a dispute, nor a dispute quietly into a confirmation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Engagement, Person
from rights.models import Complaint, ComplaintKind, ComplaintSource
from rights.services.complaints import ComplaintForm, complaint_file
from smz_platform.common.errors import Conflict
from wages.models import ExitSettlement

CONFIRMED, DISPUTED = "confirmed", "disputed"


def settlement_answer(
    *, person: Person, engagement: Engagement, answer: str, text: str = "", address: str | None = None, request=None
) -> Complaint | None:
    """Record the worker's answer; a dispute returns the complaint it filed (its tracking code is his)."""
    if engagement.person_id != person.pk:
        raise ValidationError({"engagement": [_("This is not your engagement.")]})
    if answer not in (CONFIRMED, DISPUTED):
        raise ValidationError({"answer": [_("Confirm the settlement or dispute it.")]})
    if answer == DISPUTED and len(text.strip()) < 5:
        raise ValidationError({"text": [_("Say what is wrong with the settlement (at least 5 characters).")]})
    settlement = ExitSettlement.objects.filter(engagement=engagement).first()
    if settlement is None:
        raise ValidationError({"engagement": [_("No exit settlement has been recorded for this engagement yet.")]})
    with transaction.atomic():
        fields = {"worker_answer": answer, "worker_answered_at": timezone.now()}
        if answer == CONFIRMED:
            fields["worker_confirmed"] = True
        if ExitSettlement.objects.filter(pk=settlement.pk, worker_answer="").update(**fields) != 1:
            raise Conflict("answer", _("You have already answered this settlement."))
        if answer == CONFIRMED:
            return None
        return complaint_file(
            project=engagement.project,
            form=ComplaintForm(
                kind=ComplaintKind.WAGES,
                text=_("Exit settlement disputed by the worker: %(text)s") % {"text": text.strip()},
                enterprise_id=engagement.employer_id,
                name=person.name,
            ),
            source=ComplaintSource.SETTLEMENT,
            address=address,
            engagement=engagement,
            request=request,
        )
