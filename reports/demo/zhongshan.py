"""The demo's second city (manage.py seed_demo): Zhongshan under its own preset (中山 2019 上线通知), one
project per clause of the notice that judges differently from Ningbo, named so that a reader sees why.

Seeded after Ningbo's attendance (whose generator takes every active project) and before the nightly
runs, so that the nights judge both cities, each by its own policy.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from stdnum.cn import uscc

from attendance.models import Punch, PunchKey
from attendance.storage import presence_refresh
from devices.choices import Connection, DeviceKind, Location
from devices.models import Device
from inspections.models import Policy
from inspections.presets import PRESETS
from projects.choices import Category, ParticipantRole, ProjectKind, ProjectStatus, RegionLevel, Role
from projects.identity import parse_id_number
from projects.models import Engagement, Enterprise, Person, Project, ProjectParticipant, Region
from projects.services.accounts import account_contact_set, account_create
from projects.services.status import status_request_approve, status_request_attachment_add, status_request_submit
from reports.demo.devices import devices_in_contact
from reports.demo.registry import DEMO_PASSWORD, _id_number, _name
from smz_platform.common import pii

SHANGHAI = ZoneInfo("Asia/Shanghai")
PRESET = "zhongshan_2019"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Each project and the clause it shows.
OLD_COHORT = "old_cohort"
ROLES_JUDGED = "roles_judged"
TWO_STOPS = "two_stops"
TABLETS = "tablets"
CLAUSES = {
    OLD_COHORT: "2020年2月1日前报建：管理人员在原系统考勤，只考核劳务人员",
    ROLES_JUDGED: "只考核总包、监理管理人员：分包劳务负责人不考核",
    TWO_STOPS: "安全评定后停止考勤：项目经理凭质量监督告知书方终止",
    TABLETS: "市政工程：移动平板人脸定位考勤",
}


@dataclass(frozen=True)
class Zhongshan:
    city: Region
    district: Region
    projects: dict[str, Project]
    logins: list[tuple[str, str, str]]


def _firm(n: int, name: str, **flags) -> Enterprise:
    body = f"91442000MA{n:07d}"
    return Enterprise.objects.create(uscc=body + uscc.calc_check_digit(body), name=name, **flags)


def _person(rng: random.Random, name: str | None = None) -> Person:
    number = _id_number(rng, "442000")
    parsed = parse_id_number(number)
    return Person.objects.create(
        id_number_encrypted=pii.encrypt(number),
        id_number_digest=pii.lookup_digest(number),
        id_number_masked=pii.mask_id_number(number),
        name=name or _name(rng),
        gender=parsed.gender,
        birth_year=parsed.birth_date.year,
    )


def seed_zhongshan(*, rng: random.Random, days: int) -> Zhongshan:
    """The city, its policy (the Zhongshan preset), its accounts, four projects with their people, devices
    and `days` days of punches up to yesterday."""
    from django.utils import timezone

    today = timezone.localdate()
    city = Region.objects.create(code="442000", name="中山市", level=RegionLevel.CITY)
    district = Region.objects.create(code="442000003", name="火炬开发区", level=RegionLevel.DISTRICT, parent=city)
    title, values = PRESETS[PRESET]
    Policy.objects.create(district=city, name=f"中山市考核口径（{title}）", preset=PRESET, in_force=True, **values)
    firms = {
        "contractor": _firm(1, "中山火炬建设集团有限公司", is_contractor=True),
        "subcontractor": _firm(2, "中山翠亨建筑劳务有限公司", is_subcontractor=True),
        "supervisor": _firm(3, "中山市建设监理有限公司", is_supervisor=True),
        "owner": _firm(4, "中山火炬开发区建设发展有限公司", is_owner=True),
        "vendor": _firm(5, "中山慧眼科技有限公司", is_vendor=True),
    }
    logins = _accounts(city, district, firms["contractor"])
    started = today - dt.timedelta(days=120)
    specs = {
        OLD_COHORT: ("东利安置房", ProjectKind.BUILDING, dt.date(2019, 11, 20), dt.date(2020, 1, 2)),
        ROLES_JUDGED: ("人才公寓", ProjectKind.BUILDING, started - dt.timedelta(days=40), started),
        TWO_STOPS: ("实验学校", ProjectKind.BUILDING, started - dt.timedelta(days=40), started),
        TABLETS: ("沿江快速路", ProjectKind.MUNICIPAL, started - dt.timedelta(days=40), started),
    }
    projects = {}
    for n, (key, (place, kind, filed, start)) in enumerate(specs.items(), start=1):
        project = Project.objects.create(
            permit_no=f"442000{filed:%Y%m}{n:02d}0{n:03d}",
            name=f"中山火炬区{place}工程（{CLAUSES[key]}）",
            district=district,
            kind=kind,
            building_area_m2=0 if kind == ProjectKind.MUNICIPAL else 24000,
            contract_cost_yuan=180_000_000,
            filed_on=filed,
            permitted_on=filed + dt.timedelta(days=20),
            planned_start=start,
            actual_start=start,
            status=ProjectStatus.ACTIVE,
            required_positions=["project_manager", "chief_supervisor"],
            address=f"中山市火炬开发区{place}",
        )
        for role, firm in firms.items():
            ProjectParticipant.objects.create(
                project=project, enterprise=firm, role=getattr(ParticipantRole, role.upper())
            )
        projects[key] = project
    people = _engage(rng, projects, firms, first=today - dt.timedelta(days=days))
    devices = _devices(projects, firms["vendor"])
    devices_in_contact(devices.values(), since=today - dt.timedelta(days=days), now=dt.datetime.now(tz=SHANGHAI))
    stop = today - dt.timedelta(days=2)  # a request may be dated at most three days back
    if days:
        _punches(
            rng,
            people,
            devices,
            first=today - dt.timedelta(days=days),
            today=today,
            stopped={projects[TWO_STOPS].pk: stop},
        )
    _stop_attendance(projects[TWO_STOPS], stop, logins_users(logins))
    return Zhongshan(city, district, projects, [(u, label, DEMO_PASSWORD) for u, label, _user in logins])


def logins_users(logins) -> dict:
    return {username: user for username, _label, user in logins}


def _accounts(city: Region, district: Region, contractor: Enterprise) -> list[tuple[str, str, object]]:
    specs = [
        ("zhongshan", "中山市住建局 · 全市（中山口径）", {"role": Role.CITY, "region": city}, "梁志强"),
        ("huoju", f"镇区 · {district.name}", {"role": Role.DISTRICT, "district": district}, "黄丽萍"),
        ("zszongbao", f"总包 · {contractor.name}", {"role": Role.ENTERPRISE, "enterprise": contractor}, "冯国栋"),
    ]
    accounts = []
    for n, (username, label, fields, name) in enumerate(specs):
        phone = f"0760-8833{n:04d}"
        user, _token = account_create(
            username=username, password=DEMO_PASSWORD, phone=phone, check_password=False, **fields
        )
        account_contact_set(user=user, name=name, phone=phone)
        accounts.append((username, label, user))
    return accounts


# Who is on each project: (category, position, firm key, attends).
MANAGERS = [
    ("project_manager", "contractor"),
    ("chief_supervisor", "supervisor"),
    ("technical_lead", "contractor"),
    ("labour_lead", "subcontractor"),
]


def _engage(rng, projects, firms, *, first: dt.date) -> list[tuple[Engagement, bool]]:
    """Managers and twelve workers a project; whether each attends on the platform: nobody of the old
    cohort's managers (they attend on the old system), nor the subcontractor's labour lead anywhere (the
    notice never holds him to it)."""
    hires = []
    for key, project in projects.items():
        entered = max(project.planned_start, first - dt.timedelta(days=30))
        for position, firm in MANAGERS:
            engagement = Engagement.objects.create(
                person=_person(rng),
                project=project,
                employer=firms[firm],
                category=Category.MANAGER,
                position=position,
                entered_on=entered,
            )
            hires.append((engagement, key != OLD_COHORT and position != "labour_lead"))
        for _ in range(12):
            engagement = Engagement.objects.create(
                person=_person(rng),
                project=project,
                employer=firms["subcontractor"],
                category=Category.WORKER,
                trade="020",
                team="木工1班",
                entered_on=entered,
            )
            hires.append((engagement, True))
    return hires


def _devices(projects, vendor) -> dict[int, Device]:
    devices = {}
    for n, (key, project) in enumerate(projects.items(), start=1):
        tablet = key == TABLETS
        devices[project.pk] = Device.objects.create(
            serial=f"ZS-{n:02d}-{'PAD' if tablet else 'GATE'}",
            vendor=vendor,
            model="HikFace-K1T",
            kind=DeviceKind.MOBILE if tablet else DeviceKind.GATE,
            connection=Connection.DIRECT,
            project=project,
            location=Location.ENTRANCE,
            lat=22.55,
            lon=113.45,
            fence_m=500,
            secret_encrypted=pii.secret_encrypt(secrets.token_urlsafe(32)),
            liveness_enabled=True,
        )
    return devices


def _punches(rng, people, devices, *, first: dt.date, today: dt.date, stopped: dict[int, dt.date]) -> None:
    """Two punches a day at 95% up to yesterday; after a stop of attendance, only the project manager."""
    punches, keys, seq = [], set(), 0
    for engagement, attends in people:
        if not attends:
            continue
        device = devices[engagement.project_id]
        number = engagement.person.reveal_id_number()
        digest, masked = pii.lookup_digest(number), pii.mask_id_number(number)
        day = max(first, engagement.entered_on)
        until = today
        if engagement.project_id in stopped and engagement.position != "project_manager":
            until = min(today, stopped[engagement.project_id])
        while day < until:
            if rng.random() < 0.95:
                for n, hour in enumerate((7, 17)):
                    seq += 1
                    at = dt.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=SHANGHAI)
                    tablet = device.kind == DeviceKind.MOBILE
                    punches.append(
                        Punch(
                            device_id=device.pk,
                            project_id=device.project_id,
                            person_id=engagement.person_id,
                            record_id=f"ZS{seq:08d}",
                            id_number_digest=digest,
                            id_number_masked=masked,
                            punched_at=at,
                            received_at=at + dt.timedelta(seconds=rng.randint(1, 30)),
                            direction="in" if n == 0 else "out",
                            method="mobile" if tablet else "face",
                            liveness=True,
                            match_score=round(rng.uniform(0.86, 0.99), 3),
                            lat=22.55 if tablet else None,
                            lon=113.45 if tablet else None,
                            valid=True,
                            flag_mobile=tablet,
                        )
                    )
                keys.add((engagement.person_id, engagement.project_id, day))
            day += dt.timedelta(days=1)
    Punch.objects.bulk_create(punches, batch_size=2000)
    PunchKey.objects.bulk_create(
        [PunchKey(device_id=p.device_id, record_id=p.record_id) for p in punches],
        batch_size=5000,
        ignore_conflicts=True,
    )
    presence_refresh(keys=keys)


def _stop_attendance(project: Project, stop: dt.date, users: dict) -> None:
    """The safety evaluation report came two days ago: everyone's attendance but the project manager's stops
    (三(十二)1), approved at both levels; his goes on until the quality supervision completion notice."""
    request = status_request_submit(
        user=users["zszongbao"],
        project=project,
        kind="stop_attendance",
        reason="已取得安全生产标准化评定报告，申请停止劳务人员和其他管理人员考勤",
        effective_from=stop,
    )
    status_request_attachment_add(
        user=users["zszongbao"],
        status_request=request,
        kind="report",
        name="安全生产标准化评定报告.pdf",
        content=PDF,
    )
    status_request_approve(user=users["huoju"], status_request=request, comment="评定报告已核验")
    status_request_approve(
        user=users["zhongshan"], status_request=request, comment="同意自评定报告之日起停止考勤", retroactive=True
    )
