"""检查记录: recording an inspection with its findings, device tests and photos; R15 on recording."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Device
from inspections.choices import InspectionKind
from inspections.engine import rule_judge
from inspections.models import Campaign, DeviceTest, Inspection, InspectionFinding, InspectionPhoto, RandomDraw
from inspections.rules import codes
from inspections.selectors import project_timeline
from projects.models import Project, User
from projects.scope import scope_of
from smz_platform.common.dates import chinese_date
from smz_platform.common.files import file_store


@dataclass(frozen=True)
class FindingIn:
    category: str
    description: str


@dataclass(frozen=True)
class DeviceTestIn:
    serial: str
    refuses_photo: bool
    refuses_video: bool
    note: str = ""


def _check_inspector(user: User, project: Project, kind: str) -> None:
    if kind == InspectionKind.SUPERVISION_CHECK:
        scope_of(user).authorize(project, "supervise")
    else:
        scope_of(user).authorize(
            project, "enforce", _("Only the regulators of the project's district record inspections.")
        )


def _check_record(
    *,
    project: Project,
    kind: str,
    day: dt.date,
    inspectors: str,
    headcount: int | None,
    campaign: Campaign | None,
    draw: RandomDraw | None,
    today: dt.date,
) -> None:
    """What an inspection record must be: on a day the project was under way, not ahead, by someone."""
    if day > today:
        raise ValidationError({"day": [_("An inspection cannot be dated in the future.")]})
    if day < project_timeline(project=project).start_on(day):
        raise ValidationError({"day": [_("The project had not started on %(day)s.") % {"day": chinese_date(day)}]})
    if not inspectors.strip():
        raise ValidationError({"inspectors": [_("Name who inspected.")]})
    if kind == InspectionKind.ONLINE_PATROL and headcount is not None:
        raise ValidationError({"headcount": [_("An online patrol counts nobody on site; leave the headcount empty.")]})
    if headcount is not None and headcount < 0:
        raise ValidationError({"headcount": [_("The headcount cannot be negative.")]})
    if campaign is not None:
        if not campaign.districts.filter(pk=project.district_id).exists():
            raise ValidationError({"campaign": [_("The project's district does not take part in this campaign.")]})
        if not campaign.starts_on <= day <= campaign.ends_on:
            raise ValidationError({"campaign": [_("The inspection's date is outside the campaign's period.")]})
    if draw is not None and project.permit_no not in draw.drawn:
        raise ValidationError({"draw": [_("The project was not drawn in this random draw.")]})


def _check_findings(findings: list[FindingIn]) -> None:
    for n, finding in enumerate(findings):
        if finding.category not in codes():
            message = _("Finding %(n)d: unknown category %(category)s.") % {"n": n + 1, "category": finding.category}
            raise ValidationError({"findings": [message]})
        if not finding.description.strip():
            raise ValidationError({"findings": [_("Finding %(n)d: describe what was found.") % {"n": n + 1}]})


def _tested_devices(project: Project, device_tests: list[DeviceTestIn]) -> dict[str, Device]:
    """The project's devices the tests name, each once."""
    serials = [t.serial for t in device_tests]
    if len(set(serials)) != len(serials):
        raise ValidationError({"device_tests": [_("Each device is tested once per inspection.")]})
    devices = {d.serial: d for d in Device.objects.filter(project=project, serial__in=serials)}
    missing = sorted(set(serials) - set(devices))
    if missing:
        raise ValidationError(
            {"device_tests": [_("Not a device of this project: %(serials)s.") % {"serials": ", ".join(missing)}]}
        )
    return devices


def _record_device_tests(inspection: Inspection, device_tests: list[DeviceTestIn], devices: dict[str, Device]) -> None:
    """Each test, and for a device that accepts a photo or a video, a finding in category R06
    (吉建管〔2021〕6号 三(四): 防视频、照片作假)."""
    for test in device_tests:
        DeviceTest.objects.create(
            inspection=inspection,
            device=devices[test.serial],
            refuses_photo=test.refuses_photo,
            refuses_video=test.refuses_video,
            note=test.note[:200],
        )
        if test.refuses_photo and test.refuses_video:
            continue
        accepted = [
            w for w, refused in ((_("a photo"), test.refuses_photo), (_("a video"), test.refuses_video)) if not refused
        ]
        InspectionFinding.objects.create(
            inspection=inspection,
            category="R06",
            description=_("Device %(serial)s accepted %(what)s in the functional test.")
            % {"serial": test.serial, "what": _(" and ").join(accepted)},
        )


def inspection_record(
    *,
    user: User,
    project: Project,
    kind: str,
    day: dt.date,
    inspectors: str,
    headcount: int | None = None,
    notes: str = "",
    findings: Sequence[FindingIn] = (),
    device_tests: Sequence[DeviceTestIn] = (),
    campaign: Campaign | None = None,
    draw: RandomDraw | None = None,
) -> Inspection:
    """Record what an inspection saw. A device that accepts a photo or a video adds a finding in
    category R06. For a past day, R15 is judged at once; for today, by the night's run."""
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": [_("Unknown inspection kind.")]})
    _check_inspector(user, project, kind)
    today = timezone.localdate()
    _check_record(
        project=project,
        kind=kind,
        day=day,
        inspectors=inspectors,
        headcount=headcount,
        campaign=campaign,
        draw=draw,
        today=today,
    )
    _check_findings(list(findings))
    devices = _tested_devices(project, list(device_tests))
    with transaction.atomic():
        inspection = Inspection.objects.create(
            project=project,
            kind=kind,
            day=day,
            inspectors=inspectors.strip()[:200],
            headcount=headcount,
            notes=notes,
            campaign=campaign,
            draw=draw,
            recorded_by=user,
            enterprise=scope_of(user).firm if kind == InspectionKind.SUPERVISION_CHECK else None,
        )
        InspectionFinding.objects.bulk_create(
            InspectionFinding(inspection=inspection, category=f.category, description=f.description.strip())
            for f in findings
        )
        _record_device_tests(inspection, list(device_tests), devices)
        if headcount is not None and day < today:
            # The same judgement the night makes, on this project alone (its findings are events).
            rule_judge(code="R15", day=day, project_ids=[project.pk])
    return inspection


def inspection_photo_add(*, user: User, inspection: Inspection, caption: str, content: bytes) -> InspectionPhoto:
    _check_inspector(user, inspection.project, inspection.kind)
    photo = InspectionPhoto(inspection=inspection, caption=caption[:200], uploaded_by=user)
    return file_store(photo, content=content, allowed=("image/jpeg", "image/png"))
