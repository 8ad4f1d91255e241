"""上报 on the dashboard: for each receiver the city reports to, per record kind how many records the receiver
accepted, how many are on their way and how many it refused (with its message, in its words); the refused ones
listed with "resend" for a record or its whole project. Narrowed to one project by its permit number. Who reads and
who resends is the one scope's (`upward.receiver` view and change)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.models import Project
from projects.scope import scope_of
from upward.models import OutboxItem, OutboxState, Receiver
from upward.selectors import outbox_refused, outbox_summary, record_labels, upward_backlogs
from upward.services import outbox_resend

REFUSED_LISTED = 100


def _labelled(items) -> list[OutboxItem]:
    items = list(items[:REFUSED_LISTED])
    labels = record_labels(items)
    for item in items:
        item.label = labels[item.pk]
    return items


@login_required
def upward(request: HttpRequest) -> HttpResponse:
    scope_of(request.user).require("follow_upward")
    receivers = Receiver.objects.restrict(request.user, "view").order_by("name")
    permit = request.GET.get("project", "").strip()[:64]
    project = None
    if permit:
        project = Project.objects.restrict(request.user, "view").filter(permit_no=permit).first()
        if project is None:
            messages.error(request, _("No project with this permit number."))
    backlogs = {b.receiver_id: b for b in upward_backlogs()}
    panels = []
    for receiver in receivers:
        items = OutboxItem.objects.filter(receiver=receiver)
        if project is not None:
            items = items.filter(project=project)
        panels.append(
            {
                "receiver": receiver,
                "kinds": outbox_summary(items),
                "refused": _labelled(
                    outbox_refused(items).select_related("project").order_by("-done_at")[:REFUSED_LISTED]
                ),
                "withheld": _labelled(
                    outbox_refused(items, OutboxState.WITHHELD)
                    .select_related("project")
                    .order_by("-done_at")[:REFUSED_LISTED]
                ),
                "backlog": backlogs.get(receiver.pk),
                "may_resend": scope_of(request.user).allows(receiver, "change"),
            }
        )
    return render(request, "reports/dashboard/upward.html", {"panels": panels, "project": project, "permit": permit})


@login_required
@require_POST
def upward_resend(request: HttpRequest, receiver_id: int) -> HttpResponse:
    """重发: one refused record (`item`), or every record of a project the receiver has not accepted (`project`)."""
    scope_of(request.user).require("follow_upward")
    receiver = get_object_or_404(Receiver.objects.restrict(request.user, "view"), pk=receiver_id)
    item_id, permit = request.POST.get("item", ""), request.POST.get("project", "")
    if item_id:
        item = get_object_or_404(
            OutboxItem.objects.filter(receiver=receiver, project__isnull=False),
            pk=int(item_id) if item_id.isdigit() and len(item_id) < 12 else 0,
        )
        project = item.project
        written = outbox_resend(user=request.user, receiver=receiver, project=project, item=item)
    else:
        project = get_object_or_404(Project.objects.restrict(request.user, "view"), permit_no=permit.strip()[:64])
        written = outbox_resend(user=request.user, receiver=receiver, project=project)
    messages.success(request, _("%(count)d records written to the outbox again.") % {"count": written})
    return redirect(f"{reverse('dashboard:upward')}?{urlencode({'project': project.permit_no})}")
