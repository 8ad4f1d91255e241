"""The demo city's attendance (manage.py seed_demo): two months of punches and presence, and one
project per rule where that rule's violation is planted, named so that a reader sees why.

Rows go in by bulk inserts (the demo is built on the embedded SQLite default too); the nightly rules
are then run over the two months so that the alerts and their history are there on first login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from attendance.models import Punch, PunchKey
from attendance.photos import photo_store
from attendance.rows import punch_row
from attendance.storage import presence_refresh
from devices.choices import Connection
from devices.models import Device, DeviceFlip, FlipField
from projects.choices import Category, ProjectStatus
from projects.models import Engagement, Person, Project, ProjectStatusChange, User
from reports.demo.devices import devices_in_contact
from smz_platform.common import pii
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction, AuditEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _grey_png(size: int = 96) -> bytes:
    """A plain grey PNG: the photo the R07 project's devices sent again and again (a real image, so the
    alert's page shows it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x9a" * size for _ in range(size))  # filter byte, then one grey byte a pixel
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


REUSED_PHOTO = _grey_png()
REUSED_PHOTO_SHA256 = hashlib.sha256(REUSED_PHOTO).hexdigest()

# rule → the label appended to the name of the project where it is planted.
PLANTED = {
    "R01": "无考勤设备",
    "R02": "设备平台对接未审批",
    "R03": "考勤设备离线",
    "R04": "人员未登记",
    "R05": "擅自变更状态",
    "R06": "关闭活体检测",
    "R07": "考勤照片造假",
    "R08": "手机考勤未审批",
    "R09": "人脸比对不符",
    "R10": "项目经理异地打卡",
    "R11": "项目经理缺勤",
    "R12": "连续无考勤",
    "R13": "补录历史考勤",
    "R14": "违规导出数据",
    "R16": "工人出勤率低",
}

# The ways a contractor would move the figures, one project each, named so a reader sees which; the
# platform judges them as the notices say (tests/inspections/test_figures_hold.py holds each).
LOOPHOLES = {
    "unreported_start": "未报开工：按施工许可拟开工日判定",
    "pending_suspension": "停工申请待批：照常考勤",
    "pending_replacement": "项目经理变更待批：原项目经理照常考核",
    "devices_never_reported": "设备从未上线",
    "nobody_registered": "无人进场登记",
}


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class _Punching:
    """What the punches of the demo city are made from, and what they add up to."""

    rng: random.Random
    today: dt.date
    first: dt.date
    devices: dict[int, list[Device]]
    elsewhere: Device  # a gate of another project (R10)
    punches: list[Punch] = field(default_factory=list)
    presence: set = field(default_factory=set)
    seq: int = 0


def _rate(engagement: Engagement, rule: str | None) -> float:
    manager = engagement.category == Category.MANAGER
    if rule == "R11" and engagement.position == "project_manager":
        return 0.55
    if rule == "pending_replacement" and engagement.position == "project_manager":
        return 0.4  # the holder being replaced has stopped coming: still judged until the switch
    if rule == "R16" and not manager:
        return 0.55
    return 0.93 if manager else 0.9


def _one_punch(p: _Punching, engagement: Engagement, rule: str | None, day: dt.date, n: int, punched_at, ids) -> Punch:
    """One punch of the day, with the rule's violation planted on the first punch of the last days."""
    device, received = p.devices[engagement.project_id][0], punched_at + dt.timedelta(seconds=p.rng.randint(1, 30))
    score, photo, method, lat, lon, liveness = round(p.rng.uniform(0.85, 0.99), 3), "", "face", None, None, True
    if day >= p.today - dt.timedelta(days=3) and n == 0:
        if rule == "R09":
            score = 0.62
        if rule == "R07":
            photo = REUSED_PHOTO_SHA256
        if rule == "R13" and day == p.today - dt.timedelta(days=1):
            received = punched_at + dt.timedelta(hours=1)
            punched_at = punched_at - dt.timedelta(days=3)
        if rule == "R08" and engagement.category != Category.MANAGER:
            method, lat, lon = "mobile", 29.87, 121.55
        if rule == "R06":
            liveness = None
        if rule == "R10" and engagement.position == "project_manager":
            device = p.elsewhere
    p.seq += 1
    digest, masked = ids
    row = punch_row(
        device_id=device.pk,
        project_id=device.project_id,
        person_id=engagement.person_id,
        engaged=True,
        record_id=f"D{p.seq:08d}",
        id_number_digest=digest,
        id_number_masked=masked,
        punched_at=punched_at,
        received_at=received,
        direction="in" if n == 0 else "out",
        method=method,
        liveness=liveness,
        match_score=score,
        photo_sha256=photo,
        photo_stored=bool(photo),
        lat=lat,
        lon=lon,
    )
    return Punch(**row._asdict())


def _punch_engagement(p: _Punching, engagement: Engagement, rule: str | None) -> None:
    """Two punches a day at the engagement's rate, from its entry (or the first day) to yesterday, and
    this morning's arrival if the morning is past."""
    number = engagement.person.reveal_id_number()
    ids = (pii.lookup_digest(number), pii.mask_id_number(number))
    start = max(p.first, engagement.entered_on)
    rate = _rate(engagement, rule)
    for offset in range((p.today - start).days):
        day = start + dt.timedelta(days=offset)
        if rule in ("R12", "pending_suspension") and day > p.today - dt.timedelta(days=7):
            continue  # a silent last week (for the one pending approval: silence is not excused)
        if p.rng.random() > rate:
            continue
        times = [_at(day, 7, p.rng.randint(0, 59)), _at(day, 17, p.rng.randint(0, 59))]
        for n, punched_at in enumerate(times):
            _add(p, _one_punch(p, engagement, rule, day, n, punched_at, ids))
    # This morning's arrival, once the seeding runs after it: the "today" figures are not empty.
    arrival = _at(p.today, 7, p.rng.randint(0, 59))
    silent = rule in ("R12", "pending_suspension")
    if not silent and start <= p.today and arrival < timezone.now() and p.rng.random() <= rate:
        _add(p, _one_punch(p, engagement, None, p.today, 0, arrival, ids))


def _add(p: _Punching, punch: Punch) -> None:
    p.punches.append(punch)
    p.presence.add((punch.person_id, punch.project_id, punch.punched_at.astimezone(SHANGHAI).date()))


def seed_attendance(*, rng: random.Random, days: int = 61) -> tuple[dict[str, Project], dict[str, Project]]:
    """The punches and presence of the demo city; returns the planted projects (rule → project) and
    the loophole projects (loophole → project)."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=days)
    active = list(Project.objects.filter(status=ProjectStatus.ACTIVE).order_by("id"))
    planted = dict(zip(PLANTED, active[: len(PLANTED)], strict=False))
    for rule, project in planted.items():
        Project.objects.filter(pk=project.pk).update(name=f"{project.name}（{PLANTED[rule]}）")
        project.name = f"{project.name}（{PLANTED[rule]}）"
    on_site = [key for key in LOOPHOLES if key != "unreported_start"]
    loopholes = dict(zip(on_site, active[len(PLANTED) : len(PLANTED) + len(on_site)], strict=True))
    loopholes["unreported_start"] = Project.objects.filter(status=ProjectStatus.NOT_STARTED).order_by("id").first()
    for key, project in loopholes.items():
        Project.objects.filter(pk=project.pk).update(name=f"{project.name}（{LOOPHOLES[key]}）")
        project.name = f"{project.name}（{LOOPHOLES[key]}）"
    Engagement.objects.filter(project=loopholes["nobody_registered"]).delete()
    special = {project.pk: rule for rule, project in {**planted, **loopholes}.items()}
    devices = defaultdict(list)
    for device in Device.objects.filter(project__in=active).order_by("id"):
        devices[device.project_id].append(device)
    now = timezone.now()
    punching = _Punching(rng=rng, today=today, first=first, devices=devices, elsewhere=devices[active[-1].pk][0])
    for engagement in (
        Engagement.objects.filter(project__in=active, exited_on__isnull=True).select_related("person").order_by("id")
    ):
        rule = special.get(engagement.project_id)
        # R01's project has (will have) no device; the devices of another never reached the platform.
        if devices[engagement.project_id] and rule not in ("R01", "devices_never_reported"):
            _punch_engagement(punching, engagement, rule)
    photo_store(sha256=REUSED_PHOTO_SHA256, content=REUSED_PHOTO)
    Punch.objects.bulk_create(punching.punches, batch_size=2000)
    PunchKey.objects.bulk_create(
        [PunchKey(device_id=p.device_id, record_id=p.record_id) for p in punching.punches],
        batch_size=5000,
        ignore_conflicts=True,
    )
    presence_refresh(keys=punching.presence)  # daily presence as the intake would have kept it
    _plant_the_rest(planted, devices, first, today, now)
    _plant_loopholes(loopholes, today, now)
    return planted, loopholes


def _plant_loopholes(loopholes: dict[str, Project], today: dt.date, now: dt.datetime) -> None:
    """What the contractors of the loophole projects did: a start never reported, a suspension and a
    manager's replacement still awaiting approval, devices registered that never reported."""
    from projects.services.status import status_request_approve, status_request_submit

    users = {u.username: u for u in User.objects.filter(username__in=["city", "haishu"])}
    Project.objects.filter(pk=loopholes["unreported_start"].pk).update(planned_start=today - dt.timedelta(days=20))
    contractors = {
        p.pk: User.objects.filter(
            role="enterprise", enterprise__participations__project=p, enterprise__participations__role="contractor"
        ).first()
        for p in loopholes.values()
    }
    staff = User.objects.filter(role="district")
    suspended = loopholes["pending_suspension"]
    submitter = contractors[suspended.pk] or users["city"]
    request = status_request_submit(
        user=submitter,
        project=suspended,
        kind="suspension",
        reason="等待幕墙材料进场",
        effective_from=today - dt.timedelta(days=2),
    )
    district_staff = staff.filter(district_id=suspended.district_id).first()
    if district_staff is not None:
        status_request_approve(user=district_staff, status_request=request, comment="已核实，报市里审批")
    replaced = loopholes["pending_replacement"]
    holder = Engagement.objects.filter(project=replaced, position="project_manager", exited_on__isnull=True).first()
    newcomer = Person.objects.exclude(engagements__project=replaced).order_by("id").first()
    incoming = Engagement.objects.create(
        person=newcomer,
        project=replaced,
        employer=holder.employer,
        category=Category.MANAGER,
        position="project_manager",
        entered_on=today,
        created_by=users["city"],
    )
    status_request_submit(
        user=contractors[replaced.pk] or users["city"],
        project=replaced,
        kind="manager_replacement",
        reason="项目经理调任其他项目",
        effective_from=today,
        position="project_manager",
        replaced=holder,
        replacement=incoming,
    )
    silent = Device.objects.filter(project=loopholes["devices_never_reported"])
    DeviceFlip.objects.filter(device__in=silent).delete()
    silent.update(
        registered_at=now - dt.timedelta(days=10),
        last_contact_at=None,
        last_heartbeat_at=None,
        online=False,
        offline_after=None,
    )


def _plant_the_rest(planted, devices, first, today, now) -> None:
    yesterday = today - dt.timedelta(days=1)
    # Every device online since the start, except the planted ones.
    devices_in_contact([d for project_devices in devices.values() for d in project_devices], since=first, now=now)
    Device.objects.filter(project=planted["R01"]).delete()
    Device.objects.filter(pk=devices[planted["R02"].pk][0].pk).update(connection=Connection.PLATFORM)
    offline = devices[planted["R03"].pk][0]
    since = dt.datetime.combine(yesterday - dt.timedelta(days=3), dt.time(9), tzinfo=SHANGHAI)
    DeviceFlip.objects.create(device=offline, at=since, field=FlipField.ONLINE, value=False, detected_at=since)
    Device.objects.filter(pk=offline.pk).update(
        online=False, last_contact_at=since, last_heartbeat_at=since, offline_after=None
    )
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
    # A vendor's account takes the roster out (to its own platform) without the regulator's approval.
    event = audit_event_record(
        user=User.objects.get(username="vendor"),
        action=AuditAction.EXPORT,
        what="项目人员花名册导出（未经审批）",
        record_count=76,
        project_permit_no=planted["R14"].permit_no,
    )
    AuditEvent.objects.filter(pk=event.pk).update(at=noon)
