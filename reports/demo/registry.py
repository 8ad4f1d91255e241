"""The demo city's registry (manage.py seed_demo): Ningbo's districts, enterprises, projects, people.

Deterministic (a seeded random generator), realistic in shape: valid credit codes and ID numbers,
workers from the provinces that send most of Ningbo's construction workforce, the managers every
permit requires. Bulk inserts keep `make run` quick on the embedded SQLite default.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.utils import timezone
from stdnum.cn import ric, uscc

from projects.choices import Category, ParticipantRole, ProjectKind, ProjectStatus, RegionLevel, Role
from projects.identity import parse_id_number
from projects.models import Engagement, Enterprise, Person, Project, ProjectParticipant, Region, User
from projects.services.accounts import account_contact_set, account_create
from projects.services.status import status_request_approve, status_request_submit
from smz_platform.common import pii

DEMO_PASSWORD = "smz-demo-2026"

DISTRICTS = [
    ("330203", "海曙区"),
    ("330205", "江北区"),
    ("330206", "北仑区"),
    ("330211", "镇海区"),
    ("330212", "鄞州区"),
    ("330213", "奉化区"),
    ("330225", "象山县"),
    ("330226", "宁海县"),
    ("330281", "余姚市"),
    ("330282", "慈溪市"),
]
# Where the workers' ID numbers come from: Zhejiang and the provinces that send most workers.
HOME_REGIONS = ["330203", "330212", "330226", "341221", "341222", "511321", "411521", "522121", "362124", "431121"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "建国军华明强伟勇杰涛斌超波辉刚平海峰磊鹏浩亮新春林文德志忠永红英秀兰芳玉凤丽燕"
PLACES = [
    "望春",
    "石碶",
    "庄桥",
    "甬江",
    "梅墟",
    "钟公庙",
    "东钱湖",
    "姜山",
    "白峰",
    "骆驼",
    "溪口",
    "丹城",
    "跃龙",
    "阳明",
    "浒山",
    "观海卫",
    "新碶",
    "洪塘",
    "南部商务区",
    "东部新城",
]
BUILDINGS = ["安置房", "人民医院新院区", "实验学校", "商业综合体", "人才公寓", "产业园标准厂房", "文化中心", "养老中心"]
MUNICIPAL = ["快速路", "污水管网改造", "滨江绿道", "立交桥", "综合管廊"]
CONTRACTORS = [
    "建工集团",
    "城建集团",
    "二建建设",
    "鸿达建设",
    "宏润建设",
    "华丰建设",
    "永安建设",
    "中天建设",
    "舜江建设",
    "东升建设",
    "亿丰建设",
    "天和建设",
]
SUBCONTRACTORS = ["劳务", "建筑劳务", "钢结构", "幕墙装饰", "机电安装", "基础工程"]
SUPERVISORS = ["明州工程监理", "甬信建设监理", "宁大工程咨询", "海天项目管理", "恒实监理", "正诚监理"]
OWNERS = ["城建投资", "轨道交通集团", "开发投资", "教育发展", "卫生建设", "安居置业"]
VENDORS = ["智安科技", "甬视信息", "慧工科技", "筑联物联"]
TRADES = ["010", "020", "030", "040", "050", "130", "190", "240", "270", "390"]
MANAGER_POSITIONS = [
    ("contractor", "project_manager"),
    ("supervisor", "chief_supervisor"),
    ("contractor", "technical_lead"),
    ("contractor", "safety_officer"),
    ("contractor", "quality_inspector"),
    ("contractor", "labour_clerk"),
]


@dataclass(frozen=True)
class _Hire:
    """One planned engagement of the demo city."""

    project_id: int
    number: str
    name: str
    employer_key: str
    position: str = ""
    trade: str = ""


@dataclass
class DemoRegistry:
    city: Region
    districts: list[Region]
    projects: list[Project]
    vendors: list[Enterprise]
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, jurisdiction


def _credit_code(n: int) -> str:
    body = f"91330200MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def _id_number(rng: random.Random, region: str, age_from: int = 20, age_to: int = 60) -> str:
    year = 2026 - rng.randint(age_from, age_to)
    body = f"{region}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass(frozen=True)
class _Firms:
    contractors: list[Enterprise]
    subcontractors: list[Enterprise]
    supervisors: list[Enterprise]
    owners: list[Enterprise]
    vendors: list[Enterprise]


def _seed_firms() -> _Firms:
    serial = iter(range(1_000_000, 9_999_999))

    def enterprises(names: list[str], suffix: str, **flags) -> list[Enterprise]:
        return Enterprise.objects.bulk_create(
            [Enterprise(uscc=_credit_code(next(serial)), name=f"宁波{n}{suffix}", **flags) for n in names]
        )

    subcontractors = enterprises(
        [f"{p}{s}" for p in PLACES[:12] for s in SUBCONTRACTORS[:1]], "有限公司", is_subcontractor=True
    )
    subcontractors += enterprises([f"甬城{s}" for s in SUBCONTRACTORS[1:]], "工程有限公司", is_subcontractor=True)
    return _Firms(
        contractors=enterprises(CONTRACTORS, "有限公司", is_contractor=True),
        subcontractors=subcontractors,
        supervisors=enterprises(SUPERVISORS, "有限公司", is_supervisor=True),
        owners=enterprises(OWNERS, "有限公司", is_owner=True),
        vendors=enterprises(VENDORS, "有限公司", is_vendor=True),
    )


def _seed_projects(rng: random.Random, districts: list[Region], per_district: int) -> list[Project]:
    projects: list[Project] = []
    statuses = [ProjectStatus.ACTIVE] * 3 + [ProjectStatus.NOT_STARTED]
    for d_index, district in enumerate(districts):
        for p_index in range(per_district):
            municipal = p_index == 3 and d_index % 2 == 0
            place = PLACES[(d_index * per_district + p_index) % len(PLACES)]
            name = f"{district.name}{place}{rng.choice(MUNICIPAL if municipal else BUILDINGS)}工程"
            status = statuses[p_index % len(statuses)]
            planned = dt.date(2026, 9, 1) + dt.timedelta(days=rng.randint(-120, 60))
            if status == ProjectStatus.NOT_STARTED:  # permitted to start in the coming weeks
                planned = timezone.localdate() + dt.timedelta(days=20 + (planned - dt.date(2026, 9, 1)).days % 60)
            projects.append(
                Project(
                    permit_no=f"{district.code}2026{d_index:02d}{p_index:02d}{rng.randint(1000, 9999)}",
                    name=name,
                    district=district,
                    kind=ProjectKind.MUNICIPAL if municipal else ProjectKind.BUILDING,
                    building_area_m2=0 if municipal else rng.randrange(6000, 120000, 500),
                    contract_cost_yuan=rng.randrange(20_000_000, 600_000_000, 1_000_000),
                    planned_start=planned,
                    actual_start=planned if status != ProjectStatus.NOT_STARTED else None,
                    status=status,
                    required_positions=["project_manager", "chief_supervisor", "safety_officer"],
                    address=f"宁波市{district.name}{place}",
                )
            )
    Project.objects.bulk_create(projects)
    return list(Project.objects.order_by("id"))


def _seed_participants(projects: list[Project], firms: _Firms) -> dict[int, dict[str, Enterprise]]:
    """Each project's firms, by the key the hires name them with."""
    participants, team_of = [], {}
    roles = {
        "contractor": ParticipantRole.CONTRACTOR,
        "subcontractor": ParticipantRole.SUBCONTRACTOR,
        "subcontractor2": ParticipantRole.SUBCONTRACTOR,
        "supervisor": ParticipantRole.SUPERVISOR,
        "owner": ParticipantRole.OWNER,
        "vendor": ParticipantRole.VENDOR,
    }
    for i, project in enumerate(projects):
        team = {
            "contractor": firms.contractors[i % len(firms.contractors)],
            "subcontractor": firms.subcontractors[i % len(firms.subcontractors)],
            "subcontractor2": firms.subcontractors[(i + 5) % len(firms.subcontractors)],
            "supervisor": firms.supervisors[i % len(firms.supervisors)],
            "owner": firms.owners[i % len(firms.owners)],
            "vendor": firms.vendors[i % len(firms.vendors)],
        }
        team_of[project.pk] = team
        participants += [
            ProjectParticipant(project=project, enterprise=team[key], role=role) for key, role in roles.items()
        ]
    ProjectParticipant.objects.bulk_create(participants)
    return team_of


def _plan_hires(rng: random.Random, projects: list[Project], workers_per_project: int) -> list[_Hire]:
    plan: list[_Hire] = []
    for project in projects:
        for employer_key, position in MANAGER_POSITIONS:
            region = "330203" if rng.random() < 0.5 else "330212"
            plan.append(_Hire(project.pk, _id_number(rng, region, 28, 58), _name(rng), employer_key, position=position))
        for w in range(workers_per_project):
            employer_key = "subcontractor" if w % 3 else "subcontractor2"
            number = _id_number(rng, rng.choice(HOME_REGIONS))
            plan.append(_Hire(project.pk, number, _name(rng), employer_key, trade=rng.choice(TRADES)))
    return plan


def _seed_people(plan: list[_Hire]) -> dict[str, int]:
    """One person per ID number of the plan (encrypted, with its lookup digest); digest → id."""
    people, seen = [], set()
    for hire in plan:
        if hire.number in seen:
            continue
        seen.add(hire.number)
        parsed = parse_id_number(hire.number)
        people.append(
            Person(
                id_number_encrypted=pii.encrypt(hire.number),
                id_number_digest=pii.lookup_digest(hire.number),
                id_number_masked=pii.mask_id_number(hire.number),
                id_number_warnings=list(parsed.warnings),
                name=hire.name,
                gender=parsed.gender,
                birth_year=parsed.birth_date.year,
            )
        )
    Person.objects.bulk_create(people, batch_size=1000)
    return dict(Person.objects.values_list("id_number_digest", "id"))


def _seed_engagements(rng: random.Random, plan: list[_Hire], projects: list[Project], team_of, people) -> None:
    project_by_id = {p.pk: p for p in projects}
    engagements, engaged = [], set()
    for hire in plan:
        person_id = people[pii.lookup_digest(hire.number)]
        if (person_id, hire.project_id) in engaged:
            continue
        engaged.add((person_id, hire.project_id))
        project = project_by_id[hire.project_id]
        start = project.actual_start or project.planned_start
        team = f"{rng.choice(['钢筋', '木工', '泥工', '架子', '水电'])}{rng.randint(1, 3)}班" if hire.trade else ""
        engagements.append(
            Engagement(
                person_id=person_id,
                project_id=hire.project_id,
                employer=team_of[hire.project_id][hire.employer_key],
                category=Category.MANAGER if hire.position else Category.WORKER,
                position=hire.position,
                trade=hire.trade,
                team=team,
                entered_on=start + dt.timedelta(days=rng.randint(0, 20)),
            )
        )
    Engagement.objects.bulk_create(engagements, batch_size=1000)


def seed_registry(*, rng: random.Random, projects_per_district: int = 4, workers_per_project: int = 70) -> DemoRegistry:
    city = Region.objects.create(code="330200", name="宁波市", level=RegionLevel.CITY)
    districts = [
        Region.objects.create(code=code, name=name, level=RegionLevel.DISTRICT, parent=city) for code, name in DISTRICTS
    ]
    firms = _seed_firms()
    projects = _seed_projects(rng, districts, projects_per_district)
    team_of = _seed_participants(projects, firms)
    plan = _plan_hires(rng, projects, workers_per_project)
    _seed_engagements(rng, plan, projects, team_of, _seed_people(plan))
    return DemoRegistry(city=city, districts=districts, projects=projects, vendors=firms.vendors)


def seed_accounts(*, registry: DemoRegistry) -> list[tuple[str, str, str]]:
    """One demo account per role, all with DEMO_PASSWORD; printed by seed_demo."""
    first = registry.projects[0]
    contractor = first.participants.get(role=ParticipantRole.CONTRACTOR).enterprise
    subcontractor = first.participants.filter(role=ParticipantRole.SUBCONTRACTOR).order_by("id").first().enterprise
    supervisor = first.participants.get(role=ParticipantRole.SUPERVISOR).enterprise
    vendor = first.participants.get(role=ParticipantRole.VENDOR).enterprise
    haishu, jiangbei = registry.districts[0], registry.districts[1]
    specs = [
        ("市住建局 · 全市", {"username": "city", "role": Role.CITY}),
        (f"区县 · {haishu.name}", {"username": "haishu", "role": Role.DISTRICT, "district": haishu}),
        (f"区县 · {jiangbei.name}", {"username": "jiangbei", "role": Role.DISTRICT, "district": jiangbei}),
        (f"总包 · {contractor.name}", {"username": "contractor", "role": Role.ENTERPRISE, "enterprise": contractor}),
        (f"分包 · {subcontractor.name}", {"username": "labour", "role": Role.ENTERPRISE, "enterprise": subcontractor}),
        (f"监理 · {supervisor.name}", {"username": "supervisor", "role": Role.ENTERPRISE, "enterprise": supervisor}),
        (f"设备供应商 · {vendor.name}", {"username": "vendor", "role": Role.VENDOR, "enterprise": vendor}),
    ]
    # The people behind the accounts: their names are the 填报人 of what they file (never the login name).
    names = ["陈建华", "王海燕", "李江涛", "张国强", "刘晓东", "赵明亮", "周立新"]
    accounts = []
    for (label, fields), name in zip(specs, names, strict=True):
        phone = "0574-8718" + f"{len(accounts):04d}"
        user, _token = account_create(password=DEMO_PASSWORD, phone=phone, check_password=False, **fields)
        account_contact_set(user=user, name=name, phone=phone)
        accounts.append((fields["username"], label, user))
    # The city's demo regulator may see full ID numbers (each view is audit-logged). It is a regulator, not
    # the platform's operator: Django's permission fields stay the operator's (createsuperuser).
    city_user = accounts[0][2]
    city_user.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    return [(username, label, DEMO_PASSWORD) for username, label, _user in accounts]


def seed_status_requests(*, registry: DemoRegistry) -> None:
    """A few requests through the real workflow: one suspension approved, one pending, one permit."""
    users = {u.username: u for u in User.objects.all()}
    active = [p for p in registry.projects if p.status == ProjectStatus.ACTIVE]
    haishu_active = [p for p in active if p.district == registry.districts[0]]

    def contractor_of(project: Project) -> User:
        enterprise = project.participants.get(role=ParticipantRole.CONTRACTOR).enterprise
        return enterprise.accounts.first() or users["city"]

    suspended = haishu_active[-1]
    request = status_request_submit(
        user=contractor_of(suspended),
        project=suspended,
        kind="suspension",
        reason="春节前主体结构封顶，待幕墙材料进场",
        effective_from=timezone.localdate() - dt.timedelta(days=2),
    )
    status_request_approve(user=users["haishu"], status_request=request, comment="经现场核实，情况属实")
    # Approved as of the requested date, explicitly and recorded (the site stopped that day).
    status_request_approve(
        user=users["city"], status_request=request, comment="同意停工，现场核实自申请日起已停工", retroactive=True
    )
    status_request_submit(
        user=contractor_of(haishu_active[0]),
        project=haishu_active[0],
        kind="mobile_attendance",
        reason="市政道路线性施工，不具备安装闸机条件",
        effective_from=timezone.localdate(),
        effective_to=timezone.localdate() + dt.timedelta(days=180),
    )
