"""A firm's page (企业): its registration, the projects it takes part in that the account reads, and its integrity
information (诚信信息, 鄂建文〔2019〕27号 二(三)): the complaints naming it (how many, found true or untrue, open) and
the credit records the measures gave it. Who reads a firm is the one scope's (`projects.enterprise` view)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from inspections.models import CreditRecord
from projects.models import Enterprise, ProjectParticipant
from projects.selectors import enterprises_with_complaints


@login_required
def firm(request: HttpRequest, uscc: str) -> HttpResponse:
    found = get_object_or_404(
        enterprises_with_complaints(Enterprise.objects.restrict(request.user, "view")), uscc=uscc[:18]
    )
    credit = CreditRecord.objects.restrict(request.user, "view").filter(enterprise=found)
    participations = (
        ProjectParticipant.objects.restrict(request.user, "view")
        .filter(enterprise=found)
        .select_related("project")
        .order_by("project__name")
    )
    context = {
        "firm": found,
        "participations": participations[:200],
        "credit_count": credit.count(),
        "credit_points": credit.filter(scored=True).aggregate(total=Sum("points"))["total"] or 0,
    }
    return render(request, "reports/dashboard/firm.html", context)
