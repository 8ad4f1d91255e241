"""A winter under the Zhongshan preset (中山 2019 上线通知), the way the notice's own went: the trial period to
31 January 2020 with the Spring Festival inside it, go-live on 1 February, a project filed before the
cut-off whose managers attend on the old system, and one filed after it whose managers are judged from ten
days after its planned start. Everything through the public API: the gates' punches, the nightly run, the
presence API, a case and a credit measure."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from inspections.engine import rules_run
from inspections.models import Alert, CreditRecord, Policy
from projects.models import Project
from tests.conftest import build_city, module_world, sign_in_everyone
from tests.device_client import SignedDevice
from tests.factories import ProjectFactory, engage, id_number, participate, person
from tests.inspections.test_figures_hold import SH, punch

pytestmark = pytest.mark.django_db

WORKERS = [id_number("442000", "19800101", n) for n in (41, 42)]
OLD_PM, NEW_PM = id_number("442000", "19750101", 43), id_number("442000", "19760101", 44)
LABOUR_LEAD = id_number("442000", "19770101", 45)


def when(day: dt.date, hour: int = 7, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def days(first: dt.date, last: dt.date):
    while first <= last:
        yield first
        first += dt.timedelta(days=1)


def _gate(city, client, project: Project, serial: str) -> SignedDevice:
    from devices.services import device_register

    with time_machine.travel(when(project.planned_start - dt.timedelta(days=3), 10), tick=False):
        registered = device_register(
            user=city.users["contractor"],
            project=project,
            serial=serial,
            vendor=city.vendor,
            model="FaceGate-3",
            kind="gate",
            connection="direct",
            location="entrance",
        )
    return SignedDevice(client=client, serial=registered.device.serial, secret=registered.secret)


def _attend(gate: SignedDevice, numbers: list[str], on: list[dt.date], tag: str) -> None:
    """Each person punches in at 07:30 on each day, sent five minutes later (no back-filling)."""
    for day in on:
        with time_machine.travel(when(day, 7, 35), tick=False):
            answer = gate.punches([punch(f"{tag}-{day}-{i}", n, when(day)) for i, n in enumerate(numbers)])
        assert answer.status_code == 200, answer.content


def _nights(first: dt.date, last: dt.date) -> None:
    for day in days(first, last):
        with time_machine.travel(when(day + dt.timedelta(days=1), 1, 30), tick=False):
            rules_run(day=day)


@pytest.fixture(scope="module")
def winter(django_db_setup, django_db_blocker):
    with module_world(django_db_blocker):
        yield _winter(sign_in_everyone(build_city()), Client())


def _winter(city, client):
    """The city runs the Zhongshan preset. 'old' was filed (施工报建) in November 2019 and started on 2
    January 2020: its two workers attend every day but the Spring Festival (23–30 January, inside the
    trial period) and 10–14 February (after go-live); its project manager never punches on the platform.
    'new' was filed on 3 February 2020 and planned to start on the 10th: its project manager attends from
    the 20th, the first day the notice holds him to; the subcontractor's labour lead never punches."""
    Policy.objects.filter(district__isnull=True, in_force=True).update(in_force=False)
    Policy.objects.filter(preset="zhongshan_2019").update(in_force=True)
    old = ProjectFactory(
        permit_no="442000201912010001",
        name="中山东区旧城改造安置房（2019年报建）",
        district=city.haishu,
        filed_on=dt.date(2019, 11, 20),
        permitted_on=dt.date(2019, 12, 10),
        planned_start=dt.date(2020, 1, 2),
        actual_start=dt.date(2020, 1, 2),
        required_positions=["project_manager"],
    )
    new = ProjectFactory(
        permit_no="442000202002050001",
        name="中山火炬区人才公寓（2020年报建）",
        district=city.haishu,
        filed_on=dt.date(2020, 2, 3),
        permitted_on=dt.date(2020, 2, 5),
        planned_start=dt.date(2020, 2, 10),
        actual_start=dt.date(2020, 2, 10),
        required_positions=["project_manager"],
    )
    for project in (old, new):
        participate(project, city.contractor, "contractor")
        participate(project, city.subcontractor, "subcontractor")
        participate(project, city.supervisor, "supervisor")
    for number in WORKERS:
        engage(old, city.subcontractor, who=person(number, "务工人员"), entered_on=dt.date(2020, 1, 2))
    engage(
        old,
        city.contractor,
        who=person(OLD_PM, "陈旧制"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2020, 1, 2),
    )
    engage(
        new,
        city.contractor,
        who=person(NEW_PM, "黄新项"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2020, 2, 10),
    )
    engage(
        new,
        city.subcontractor,
        who=person(LABOUR_LEAD, "张劳务"),
        category="manager",
        position="labour_lead",
        entered_on=dt.date(2020, 2, 10),
    )
    old_gate, new_gate = _gate(city, client, old, "ZS-OLD-01"), _gate(city, client, new, "ZS-NEW-01")
    away = {*days(dt.date(2020, 1, 23), dt.date(2020, 1, 30)), *days(dt.date(2020, 2, 10), dt.date(2020, 2, 14))}
    _attend(old_gate, WORKERS, [d for d in days(dt.date(2020, 1, 2), dt.date(2020, 2, 29)) if d not in away], "W")
    _attend(new_gate, [NEW_PM], list(days(dt.date(2020, 2, 20), dt.date(2020, 2, 29))), "PM")
    _nights(dt.date(2020, 1, 2), dt.date(2020, 2, 29))
    city.old, city.new = old, new
    return city


def _presence(city, project: Project, month: str) -> dict:
    with time_machine.travel(when(dt.date(2020, 3, 2), 9), tick=False):
        answer = city.client("haishu").get(f"/api/v1/projects/{project.permit_no}/presence/?month={month}")
    assert answer.status_code == 200, answer.content[:300]
    return answer.json()


def test_the_spring_festival_silence_of_the_trial_period_is_recorded_and_never_scored(winter):
    """四(四): "实名制管理平台试运行时间至2020年1月31日，期间，将不作考核及诚信扣分处理。2020年2月1日起正式实施，
    将对实名制落实情况进行严格考核" — the site silent over the Spring Festival is found but not scored, and a
    credit measure on it deducts nothing; the same silence after go-live is scored."""
    silences = {
        (a.period_start, a.period_end): a.scored
        for a in Alert.objects.filter(rule="R12", project=winter.old, subject_code="workers")
    }
    assert silences == {
        (dt.date(2020, 1, 23), dt.date(2020, 1, 30)): False,
        (dt.date(2020, 2, 10), dt.date(2020, 2, 14)): True,
    }
    festival = Alert.objects.get(rule="R12", project=winter.old, period_start=dt.date(2020, 1, 23))
    with time_machine.travel(when(dt.date(2020, 2, 20), 10), tick=False):
        opened = winter.client("haishu").post(
            "/api/v1/cases/",
            {"project": winter.old.permit_no, "title": "春节期间无考勤", "alerts": [festival.pk]},
            format="json",
        )
        assert opened.status_code == 201, opened.content
        credit = winter.client("haishu").post(
            f"/api/v1/cases/{opened.json()['id']}/measures/",
            {"kind": "credit", "issued_on": "2020-02-20", "basis": "R12", "points": 2},
            format="json",
        )
        assert credit.status_code == 201, credit.content
    assert CreditRecord.objects.filter(scored=False).count() >= 1
    assert not CreditRecord.objects.filter(scored=True).exists()


def test_the_old_cohorts_managers_are_not_judged_through_the_winter_and_its_workers_are(winter):
    """四(二)–(三): "对2020年2月1日前完成施工报建的在建项目，对劳务人员进行实名制管理并进行考核"; its managers
    "继续使用[诚信管理系统]，直至工程结束" — the project manager who never punches on the platform is neither
    in the presence read nor flagged; the workers' days are counted, the holiday days among the construction
    days (the preset leaves holidays counted: the notice does not take them out)."""
    assert not Alert.objects.filter(rule="R11", project=winter.old).exists()
    january = _presence(winter, winter.old, "2020-01")
    assert january["managers"] == []
    # 30 construction days from 2 January; two workers present on 22 of them (away 23–30 January).
    assert (january["construction_days"], january["workers"]["attended_person_days"]) == (30, 44)


def test_the_new_cohorts_project_manager_is_held_from_ten_days_after_the_planned_start(winter):
    """四(一): "工程项目施工报建开工日期（报建系统上项目的拟开工日期）起10天后开始对施工现场管理人员进行考勤管理"
    and only "施工总承包企业及监理企业" managers — the project manager attending every day from the 20th
    passes February; the subcontractor's labour lead is not judged."""
    february = _presence(winter, winter.new, "2020-02")
    managers = {m["name"]: (m["attended_days"], m["construction_days"], m["passed"]) for m in february["managers"]}
    assert managers == {"黄新项": (10, 10, True)}
    assert not Alert.objects.filter(rule="R11", project=winter.new).exists()
