"""整改回复: the contractor's rectification reports on an order, and their review by the issuing side."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import ANSWERABLE, MeasureState, ReplyState
from inspections.models import Measure, RectificationReply
from inspections.services.casework import case_event, measure_move
from inspections.services.measures import store_document
from projects.models import User
from projects.scope import scope_of
from smz_platform.common.errors import Conflict
from smz_platform.common.files import file_check


def reply_submit(
    *, user: User, measure: Measure, text: str, files: Sequence[tuple[str, bytes]] = ()
) -> RectificationReply:
    """整改回复: the contractor answers an order with its report and attachments."""
    scope_of(user).authorize(measure, "reply")
    if measure.kind not in ANSWERABLE:
        raise ValidationError({"measure": [_("This measure is not answered with a rectification report.")]})
    if not text.strip():
        raise ValidationError({"text": [_("Describe the rectification.")]})
    for _name, content in files:
        file_check(content=content)  # every file checked before anything is written
    with transaction.atomic():
        measure_move(measure, MeasureState.ISSUED, state=MeasureState.ANSWERED)
        reply = RectificationReply.objects.create(
            measure=measure, text=text.strip(), submitted_by=user, submitted_at=timezone.now()
        )
        for name, content in files:
            store_document(user=user, measure=measure, reply=reply, name=name, content=content)
        case_event(measure.case, "reply_submitted", by=user, measure=measure)
    return reply


def reply_require_reviewer(*, user: User, reply: RectificationReply) -> None:
    """Staff, or the supervision firm for its own notice: the issuing side."""
    scope_of(user).authorize(reply, "review")


def reply_review(*, user: User, reply: RectificationReply, accept: bool, note: str = "") -> RectificationReply:
    """Staff (or, for its notice, the supervision firm) accept the rectification, closing the order, or
    reject it, and the order runs on to its deadline."""
    reply_require_reviewer(user=user, reply=reply)
    measure = reply.measure
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
            measure_move(measure, MeasureState.ANSWERED, state=MeasureState.CLOSED, closed_at=now)
        else:
            measure_move(measure, MeasureState.ANSWERED, state=MeasureState.ISSUED)
        case_event(
            measure.case, "reply_accepted" if accept else "reply_rejected", by=user, measure=measure, note=note.strip()
        )
    reply.refresh_from_db()
    return reply
