"""Factories for the registry (factory-boy), and real-shaped identifiers with correct check characters."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from stdnum.cn import ric, uscc

from projects.choices import ProjectKind, ProjectStatus, RegionLevel, Role
from projects.identity import parse_id_number
from projects.models import Engagement, Enterprise, Person, Project, ProjectParticipant, Region, User
from smz_platform.common import pii

_sequence = itertools.count(1)


def id_number(region: str = "330203", birth: str = "19900101", seq: int | None = None) -> str:
    """A resident ID number with a correct GB 11643 check character."""
    body = f"{region}{birth}{(seq if seq is not None else next(_sequence) % 1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def credit_code(n: int | None = None) -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    body = f"91330200MA{(n if n is not None else next(_sequence)) % 10**7:07d}"
    return body + uscc.calc_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "330200"
    name = "宁波市"
    level = RegionLevel.CITY


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(credit_code)
    name = factory.Sequence(lambda n: f"测试建设有限公司{n}")
    is_contractor = True


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    permit_no = factory.Sequence(lambda n: f"330203202609{n:06d}")
    name = factory.Sequence(lambda n: f"测试工程{n}号楼")
    kind = ProjectKind.BUILDING
    building_area_m2 = 12000
    contract_cost_yuan = 50_000_000
    planned_start = dt.date(2026, 9, 1)
    actual_start = dt.date(2026, 9, 1)
    status = ProjectStatus.ACTIVE
    required_positions = factory.LazyFunction(lambda: ["project_manager", "chief_supervisor"])


def participate(project: Project, enterprise: Enterprise, role: str) -> ProjectParticipant:
    return ProjectParticipant.objects.create(project=project, enterprise=enterprise, role=role)


def person(number: str | None = None, name: str = "王建国") -> Person:
    parsed = parse_id_number(number or id_number())
    return Person.objects.create(
        id_number_encrypted=pii.encrypt(parsed.number),
        id_number_digest=pii.lookup_digest(parsed.number),
        id_number_masked=pii.mask_id_number(parsed.number),
        name=name,
        gender=parsed.gender,
        birth_year=parsed.birth_date.year,
    )


def engage(project: Project, employer: Enterprise, who: Person | None = None, **fields) -> Engagement:
    defaults = {"category": "worker", "entered_on": dt.date(2026, 9, 1)}
    defaults.update(fields)
    return Engagement.objects.create(person=who or person(), project=project, employer=employer, **defaults)


def account(username: str, role: str = Role.CITY, **fields) -> User:
    user = User(username=username, role=role, is_staff=True, **fields)
    user.set_password("a-long-test-password")
    user.save()
    return user


def november_campaign(city):
    """A campaign of Haishu and Jiangbei over November and December 2026 whose local inspection ends on
    25 November: the day its Annex 1 is due (甬建函〔2023〕82号 四(二))."""
    from inspections.services.campaigns import PhaseIn, campaign_create

    return campaign_create(
        user=city.users["city"],
        name="2026年实名制管理专项整治行动",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 12, 31),
        districts=[city.haishu, city.jiangbei],
        phases=[
            PhaseIn("self_inspection", dt.date(2026, 11, 1), dt.date(2026, 11, 10)),
            PhaseIn("local_inspection", dt.date(2026, 11, 10), dt.date(2026, 11, 25)),
            PhaseIn("municipal_supervision", dt.date(2026, 11, 25), dt.date(2026, 12, 15)),
            PhaseIn("summary", dt.date(2026, 12, 15), dt.date(2026, 12, 31)),
        ],
    )


def province_of(city):
    """Ningbo under 浙江省, beside 杭州市 (西湖区, one project of its own), with a provincial regulator
    ("province") and Hangzhou's city regulator ("hangzhou"); Ningbo's city account is Ningbo's."""
    zhejiang = RegionFactory(code="330000", name="浙江省", level=RegionLevel.PROVINCE)
    city.city.parent = zhejiang
    city.city.save()
    hangzhou = RegionFactory(code="330100", name="杭州市", level=RegionLevel.CITY, parent=zhejiang)
    xihu = RegionFactory(code="330106", name="西湖区", level=RegionLevel.DISTRICT, parent=hangzhou)
    builder = EnterpriseFactory(name="杭州西湖建设集团有限公司", is_contractor=True)
    project = ProjectFactory(permit_no="330106202609010909", name="西湖文化中心工程", district=xihu)
    participate(project, builder, "contractor")
    city.users["city"].region = city.city
    city.users["city"].save()
    city.users["province"] = account("province", Role.PROVINCE, region=zhejiang)
    city.users["hangzhou"] = account("hangzhou", Role.CITY, region=hangzhou)
    return zhejiang, hangzhou, project
