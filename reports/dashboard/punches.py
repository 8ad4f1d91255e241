"""A punch as evidence (issue 15): its detail page (device, time, method, direction, liveness, match
score, whether it counts and why not, as attendance.verdicts says it) and its photo, for the regulators
of its project only. Every photo view is written to the audit log: a face is personal data as
sensitive as the ID number."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from attendance.models import Punch
from attendance.photos import photo_read
from attendance.verdicts import verdicts_of
from devices.models import Device
from projects.models import Person, Project
from projects.scope import scope_of
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction

SHOWN = 50  # the punches an alert's page lists (its evidence counts the rest)


def examinable(user):
    """The punches whose detail and photo the account reads: its project's regulators' (projects.scope)."""
    return Punch.objects.restrict(user, "examine")


def evidence_punch_ids(evidence: dict) -> list[int]:
    """The punch ids an alert's evidence names ("punches": ids, or items with a "punch" id)."""
    ids = []
    for item in evidence.get("punches", []) if isinstance(evidence.get("punches"), list) else []:
        value = item.get("punch") if isinstance(item, dict) else item
        if isinstance(value, int) and not isinstance(value, bool):
            ids.append(value)
    return ids[:SHOWN]


def evidence_punches(user, evidence: dict) -> list[Punch]:
    ids = evidence_punch_ids(evidence)
    punches = list(examinable(user).filter(pk__in=ids).order_by("punched_at", "pk")) if ids else []
    _label(punches)
    return punches


def _label(punches: list[Punch]) -> None:
    """Each punch's device serial, its person's name and the platform's verdict on it (attendance.verdicts)."""
    verdicts = verdicts_of(punches)
    devices = dict(Device.objects.filter(pk__in={p.device_id for p in punches}).values_list("pk", "serial"))
    names = dict(Person.objects.filter(pk__in={p.person_id for p in punches if p.person_id}).values_list("pk", "name"))
    for punch in punches:
        punch.serial = devices.get(punch.device_id, "—")
        punch.name = names.get(punch.person_id, "")
        punch.verdict = verdicts[punch.pk]


def _punch(request: HttpRequest, punch_id: int) -> Punch:
    scope_of(request.user).require("regulate", _("Punches are read by the regulators of their project."))
    punch = examinable(request.user).filter(pk=punch_id).first()
    if punch is None:
        raise Http404
    return punch


@login_required
def punch(request: HttpRequest, punch_id: int) -> HttpResponse:
    item = _punch(request, punch_id)
    _label([item])
    project = Project.objects.select_related("district").get(pk=item.project_id)
    same_photo = 0
    if item.photo_sha256:
        same_photo = examinable(request.user).filter(photo_sha256=item.photo_sha256).exclude(pk=item.pk).count()
    return render(
        request, "reports/dashboard/punch.html", {"punch": item, "project": project, "same_photo": same_photo}
    )


@login_required
def punch_photo(request: HttpRequest, punch_id: int) -> HttpResponse:
    """The punch's photo as the device sent it; audit-logged, never cached by the browser."""
    item = _punch(request, punch_id)
    if not (item.photo_sha256 and item.photo_stored):
        raise Http404
    content = photo_read(item.photo_sha256)
    project = Project.objects.only("permit_no").get(pk=item.project_id)
    audit_event_record(
        user=request.user,
        action=AuditAction.VIEW_UNMASKED,
        request=request,
        record_count=1,
        what=f"查看考勤照片（考勤记录{item.pk}）",
        project_permit_no=project.permit_no,
    )
    kind = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    response = HttpResponse(content, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


def evidence_punch_total(evidence: dict) -> int:
    """How many punches the finding concerns: its own count where the evidence lists only the first ones
    (R09 keeps 50 of them), so that "50 of 68 shown" agrees with the evidence's 记录数 68."""
    listed = evidence.get("punches") if isinstance(evidence.get("punches"), list) else []
    count = evidence.get("count")
    return max(count, len(listed)) if isinstance(count, int) else len(listed)
