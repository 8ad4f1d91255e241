"""The demo city's attendance (manage.py seed_demo): two months of punches and presence, and one
project per rule where that rule's violation is planted, named so that a reader sees why.

Rows go in by bulk inserts (the demo is built on the embedded SQLite default too); the nightly rules
are then run over the two months so that the alerts and their history are there on first login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.utils import timezone

from attendance.models import Punch, PunchKey
from attendance.services import LATE_CANDIDATE
from attendance.storage import presence_refresh
from devices.choices import Connection
from devices.models import Device, DeviceFlip, FlipField
from projects.choices import Category, ProjectStatus
from projects.models import Engagement, Project, ProjectStatusChange, User
from smz_platform.common import pii
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction, AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")

# rule → the label appended to the name of the project where it is planted.
PLANTED = {
    "R01": "无考勤设备", "R02": "设备平台对接未审批", "R03": "考勤设备离线", "R04": "人员未登记",
    "R05": "擅自变更状态", "R06": "关闭活体检测", "R07": "考勤照片造假", "R08": "手机考勤未审批",
    "R09": "人脸比对不符", "R10": "项目经理异地打卡", "R11": "项目经理缺勤", "R12": "连续无考勤",
    "R13": "补录历史考勤", "R14": "违规导出数据", "R16": "工人出勤率低",
}  # fmt: skip


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def seed_attendance(*, rng: random.Random, days: int = 61) -> dict[str, Project]:
    today = timezone.localdate()
    first = today - dt.timedelta(days=days)
    active = list(Project.objects.filter(status=ProjectStatus.ACTIVE).order_by("id"))
    planted = dict(zip(PLANTED, active[: len(PLANTED)], strict=False))
    for rule, project in planted.items():
        Project.objects.filter(pk=project.pk).update(name=f"{project.name}（{PLANTED[rule]}）")
        project.name = f"{project.name}（{PLANTED[rule]}）"
    special = {project.pk: rule for rule, project in planted.items()}
    devices = defaultdict(list)
    for device in Device.objects.filter(project__in=active).order_by("id"):
        devices[device.project_id].append(device)
    engagements = list(
        Engagement.objects.filter(project__in=active, exited_on__isnull=True).select_related("person").order_by("id")
    )
    shared_photo = hashlib.sha256(b"demo-reused-photo").hexdigest()
    punches, presence, seq = [], set(), 0
    now = timezone.now()
    for engagement in engagements:
        project_id, rule = engagement.project_id, special.get(engagement.project_id)
        gate = devices[project_id][0] if devices[project_id] else None
        if gate is None or rule == "R01":
            continue  # R01's project has (will have) no device: nobody can punch
        manager = engagement.category == Category.MANAGER
        rate = 0.93 if manager else 0.9
        if rule == "R11" and engagement.position == "project_manager":
            rate = 0.55
        if rule == "R16" and not manager:
            rate = 0.55
        number = engagement.person.reveal_id_number()
        digest, masked = pii.lookup_digest(number), pii.mask_id_number(number)
        start = max(first, engagement.entered_on)
        for offset in range((today - start).days):
            day = start + dt.timedelta(days=offset)
            if rule == "R12" and day > today - dt.timedelta(days=7):
                continue  # a silent last week
            if rng.random() > rate:
                continue
            times = [_at(day, 7, rng.randint(0, 59)), _at(day, 17, rng.randint(0, 59))]
            for n, punched_at in enumerate(times):
                seq += 1
                device = gate
                received = punched_at + dt.timedelta(seconds=rng.randint(1, 30))
                score, photo, method, lat, lon, liveness = (
                    round(rng.uniform(0.85, 0.99), 3),
                    "",
                    "face",
                    None,
                    None,
                    True,
                )
                recent = day >= today - dt.timedelta(days=3)
                if recent and n == 0:
                    if rule == "R09":
                        score = 0.62
                    if rule == "R07":
                        photo = shared_photo
                    if rule == "R13" and day == today - dt.timedelta(days=1):
                        received = punched_at + dt.timedelta(hours=1)
                        punched_at = punched_at - dt.timedelta(days=3)
                    if rule == "R08" and not manager:
                        method, lat, lon = "mobile", 29.87, 121.55
                    if rule == "R06":
                        liveness = None
                    if rule == "R10" and engagement.position == "project_manager":
                        device = devices[active[-1].pk][0]  # a gate of another project
                punches.append(Punch(
                    device_id=device.pk, project_id=device.project_id, person_id=engagement.person_id,
                    record_id=f"D{seq:08d}",
                    id_number_digest=digest, id_number_masked=masked, punched_at=punched_at, received_at=received,
                    direction="in" if n == 0 else "out", method=method, liveness=liveness, match_score=score,
                    photo_sha256=photo, lat=lat, lon=lon, valid=True, flag_mobile=method == "mobile",
                    flag_no_liveness=liveness is not True, flag_late=received - punched_at > LATE_CANDIDATE,
                ))  # fmt: skip
                presence.add((engagement.person_id, device.project_id, punched_at.astimezone(SHANGHAI).date()))
    Punch.objects.bulk_create(punches, batch_size=2000)
    PunchKey.objects.bulk_create([PunchKey(device_id=p.device_id, record_id=p.record_id) for p in punches],
                                 batch_size=5000, ignore_conflicts=True)  # fmt: skip
    presence_refresh(keys=presence)  # daily presence as the intake would have kept it
    _plant_the_rest(planted, devices, first, today, now)
    return planted


def _plant_the_rest(planted, devices, first, today, now) -> None:
    yesterday = today - dt.timedelta(days=1)
    # Every device online since the start, except the planted ones.
    for project_devices in devices.values():
        for device in project_devices:
            start = dt.datetime.combine(first, dt.time(6), tzinfo=SHANGHAI)
            DeviceFlip.objects.bulk_create([
                DeviceFlip(device=device, at=start, field=FlipField.ONLINE, value=True, detected_at=start),
                DeviceFlip(device=device, at=start, field=FlipField.LIVENESS, value=True, detected_at=start),
            ])  # fmt: skip
    Device.objects.filter(project__in=list(devices)).update(
        online=True, last_contact_at=now, last_heartbeat_at=now, offline_after=now + dt.timedelta(minutes=30)
    )
    Device.objects.filter(project=planted["R01"]).delete()
    Device.objects.filter(pk=devices[planted["R02"].pk][0].pk).update(connection=Connection.PLATFORM)
    offline = devices[planted["R03"].pk][0]
    since = dt.datetime.combine(yesterday - dt.timedelta(days=3), dt.time(9), tzinfo=SHANGHAI)
    DeviceFlip.objects.create(device=offline, at=since, field=FlipField.ONLINE, value=False, detected_at=since)
    Device.objects.filter(pk=offline.pk).update(online=False, last_contact_at=since, offline_after=None)
    off = devices[planted["R06"].pk][0]
    at = dt.datetime.combine(yesterday, dt.time(6), tzinfo=SHANGHAI)
    DeviceFlip.objects.create(device=off, at=at, field=FlipField.LIVENESS, value=False, detected_at=at)
    Device.objects.filter(pk=off.pk).update(liveness_enabled=False)
    r04 = planted["R04"]
    Engagement.objects.filter(project=r04, position="chief_supervisor").delete()
    noon = dt.datetime.combine(yesterday, dt.time(12), tzinfo=SHANGHAI)
    project = Project.objects.get(pk=planted["R05"].pk)
    project.attendance_stopped_on = yesterday  # changed "in the admin": no approved request (R05)
    project.save(changed_by=User.objects.get(username="city"))
    ProjectStatusChange.objects.filter(project=project).update(changed_at=noon)
    event = audit_event_record(user=User.objects.get(username="haishu"), action=AuditAction.EXPORT,
                               what="项目人员花名册导出（未经审批）", record_count=76,
                               project_permit_no=planted["R14"].permit_no)  # fmt: skip
    AuditEvent.objects.filter(pk=event.pk).update(at=noon)
