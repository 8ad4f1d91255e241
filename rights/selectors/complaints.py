"""Reads of complaints: the district's list (through the one scope), one complaint by its tracking code for the
complainant (what he sees: the state, the deadline, the replies; never who handled it). The count per firm in
its integrity information is projects.selectors.enterprises_with_complaints."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.models import User
from rights.models import Complaint, ComplaintState
from rights.tracking import TRACKING_LENGTH, tracking_code_normalise

LIVE = (ComplaintState.RECEIVED, ComplaintState.REPLIED)


def complaints_handled_by(user: User) -> QuerySet[Complaint]:
    """The complaints the account reads (its projects' regulators, projects.scope)."""
    return Complaint.objects.restrict(user, "view").select_related("project", "enterprise", "case")


def complaints_to_handle(user: User) -> QuerySet[Complaint]:
    """Open complaints the account handles, the most urgent first (the triage's list)."""
    return (
        Complaint.objects.restrict(user, "handle")
        .filter(state__in=LIVE)
        .select_related("project", "enterprise")
        .order_by("deadline", "filed_at", "id")
    )


def complaint_tracked(code: str) -> Complaint | None:
    """The complaint a tracking code names (a wrong one, of any shape, is None)."""
    code = tracking_code_normalise(code)
    if len(code) != TRACKING_LENGTH:
        return None
    return Complaint.objects.filter(tracking_code=code).select_related("project", "enterprise").first()
