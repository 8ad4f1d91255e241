"""manage.py seed_demo builds the demo city that `make run` shows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from devices.models import Device
from projects.choices import ProjectStatus
from projects.identity import parse_id_number
from projects.models import Engagement, Enterprise, Person, Project, ProjectStatusChange, Region, StatusRequest, User

pytestmark = pytest.mark.django_db


# The demo is seeded on a fixed day, past the 1st: on the 1st of a month the earlier wage month's pay day
# (the last day of the month before) is yesterday, and nothing is late yet, so W1 and W3 would find nothing.
DEMO_DAY = dt.datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo seeded once for the module (61 days of punches and 31 nights take most of a minute),
    inside a transaction rolled back at its end; each test runs in a savepoint within it (pytest-django's
    `db`), so what one test writes (a login, a second seed refused) is gone for the next."""
    with time_machine.travel(DEMO_DAY, tick=True), django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", "--workers-per-project", "5", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_it_builds_ningbos_districts_with_projects_enterprises_people_and_devices(seeded):
    assert Region.objects.get(code="330200").name == "宁波市"
    ningbo = {"district__parent__code": "330200"}
    assert Region.objects.filter(level="district", parent__code="330200").count() == 10
    assert Project.objects.filter(**ningbo).count() == 40
    assert Enterprise.objects.count() >= 36
    # The project where nobody registered has no engagements at all; the one replacing its manager has two.
    engaged = Engagement.objects.filter(project__district__parent__code="330200")
    # And the W2 site has one more: a worker on the books who never came (its wage sheet pays him).
    assert engaged.filter(category="worker").count() == 39 * 5 + 1
    assert engaged.filter(category="manager", position="project_manager").count() == 40
    assert Device.objects.filter(project__status=ProjectStatus.NOT_STARTED).count() == 0
    assert Device.objects.count() >= 30
    assert set(Project.objects.values_list("status", flat=True)) >= {"active", "not_started", "suspended"}


def test_every_demo_id_number_is_valid_and_encrypted(seeded):
    for person in Person.objects.all()[:200]:
        number = person.reveal_id_number()
        assert parse_id_number(number).number == number
        assert person.id_number_masked == number[:6] + "********" + number[-4:]


def test_it_prints_a_login_for_every_role(seeded):
    for username in ["city", "haishu", "jiangbei", "contractor", "labour", "supervisor", "vendor"]:
        assert username in seeded
        assert User.objects.get(username=username).check_password("smz-demo-2026")
    assert set(User.objects.values_list("role", flat=True)) == {"city", "district", "enterprise", "vendor"}


def test_the_suspension_went_through_both_approvals_and_the_history(seeded):
    request = StatusRequest.objects.get(kind="suspension", state="approved")
    assert request.state == "approved"
    assert request.project.status == ProjectStatus.SUSPENDED
    assert ProjectStatusChange.objects.filter(status_request=request, new_value="suspended").exists()
    assert StatusRequest.objects.filter(kind="mobile_attendance", state="pending_district").exists()
    # The loophole project's suspension still waits for approval: the project is still active.
    waiting = StatusRequest.objects.get(kind="suspension", state__in=["pending_district", "pending_city"])
    assert waiting.project.status == ProjectStatus.ACTIVE


def test_a_district_demo_account_sees_only_its_district(seeded, client):
    # Through the login page, as the user does (the lockout counts each attempt with its address).
    assert client.post("/login/", {"username": "haishu", "password": "smz-demo-2026"}).status_code == 302
    response = client.get("/api/v1/projects/")
    assert response.json()["count"] == 4
    assert {p["district"] for p in response.json()["results"]} == {"330203"}


def test_a_second_run_refuses_and_if_empty_only_prints_the_logins(seeded):
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue() and "haishu" in out.getvalue() and "zhongshan" in out.getvalue()
    assert Project.objects.count() == 44


def test_every_rule_fires_on_the_project_named_for_it(seeded):
    from inspections.models import Alert
    from reports.demo.attendance import PLANTED

    for rule, label in PLANTED.items():
        assert Alert.objects.filter(rule=rule, state="open", project__name__endswith=f"（{label}）").exists(), rule


def test_every_wage_rule_fires_on_the_project_named_for_it_and_the_others_pay_their_workers(seeded):
    from inspections.models import Alert
    from reports.demo.wages import PLANTED
    from wages.models import WageSheet

    named = {rule: Project.objects.get(name__endswith=f"（{label}）") for rule, label in PLANTED.items()}
    for rule, project in named.items():
        assert rule in seeded and PLANTED[rule] in seeded
        fired = set(Alert.objects.filter(rule=rule).values_list("project_id", flat=True))
        # A site that files no sheet has not shown it paid anyone: its workers are in arrears too.
        assert fired == ({project.pk, named["W1"].pk} if rule == "W3" else {project.pk}), rule
    arrears = Alert.objects.get(rule="W3", project=named["W3"]).evidence  # two paid 1,500 short, one refused
    short = sorted(Decimal(p["due"]) - Decimal(p["paid"]) for p in arrears["people"])
    assert (
        arrears["workers"] == 3
        and short[:2] == [1500, 1500]
        and min(Decimal(p["paid"]) for p in arrears["people"]) == 0
    )
    assert Decimal(arrears["amount"]) == sum(short)
    # The other sites: both months' sheets, the earlier one confirmed (and paid), the later one prepared.
    states = set(WageSheet.objects.values_list("month", "state").distinct())
    assert states == {(dt.date(2026, 10, 1), "confirmed"), (dt.date(2026, 11, 1), "prepared")}
    assert WageSheet.objects.filter(month="2026-10-01").values("project").distinct().count() >= 20


def test_every_site_has_its_rights_board_and_the_printed_address_opens_without_a_login(seeded, client):
    import re

    from rights.models import RightsBoard

    address = re.search(r"/board/[A-Za-z0-9_-]+/", seeded).group(0)
    board = RightsBoard.objects.get(token=address.split("/")[2])
    page = client.get(address).content.decode()
    assert board.project.name in page and board.contact_phone in page and "0574-87162345" in page  # Haishu's line
    from django.utils import timezone

    from inspections.selectors.timelines import projects_active_between

    today = timezone.localdate()
    building = projects_active_between(today, today).filter(district__parent__code="330200")  # 在建, the one answer
    live = set(RightsBoard.objects.filter(revoked_at__isnull=True).values_list("project", flat=True))
    assert live == set(building.values_list("pk", flat=True)) and len(live) >= 25


def test_the_demo_worker_signs_in_with_the_console_code_and_complaints_stand_in_each_state(seeded, client, caplog):
    import re

    from inspections.models import Alert
    from rights.models import Complaint

    number, name = re.search(r"身份证号 (\d{17}[\dX])  姓名 (\S+)", seeded).groups()
    with caplog.at_level("WARNING", logger="smz.sms"):
        assert client.post("/worker/", {"id_number": number, "name": name})["Location"] == "/worker/code/"
    code = re.search(r"验证码为(\d{6})", caplog.text).group(1)
    assert client.post("/worker/code/", {"code": code})["Location"] == "/worker/records/"
    records = client.get("/worker/records/").content.decode()
    engagement = re.search(r"/worker/records/(\d+)/", records).group(1)
    page = client.get(f"/worker/records/{engagement}/").content.decode()
    months = re.findall(r'<option value="(\d{4}-\d{2})"', page)
    shown = [client.get(f"/worker/records/{engagement}/", {"month": m}).content.decode() for m in months]
    assert all("有效出勤" in text for text in shown)
    # The demo's worker has a punch that did not count (its reason shown) and a month of wage lines.
    assert any("本月没有未计入考勤的打卡" not in text for text in shown)
    assert any("本月暂无工资支付记录" not in text for text in shown)

    states = set(Complaint.objects.values_list("state", flat=True))
    assert states == {"received", "replied", "closed"}
    codes = re.findall(r"查询码 ([A-Z0-9]{12})", seeded)
    assert len(codes) == Complaint.objects.count() == 4
    replied = Complaint.objects.get(state="replied")
    followed = client.post("/complaints/track/", {"code": replied.tracking_code}).content.decode()
    assert "已转劳务公司核实" in followed
    overdue = Alert.objects.filter(rule="C1")
    assert overdue.count() == 1 and overdue.get().subject_id == Complaint.objects.get(kind="attendance").pk


def test_every_loophole_is_judged_as_the_notices_say(seeded):
    from inspections.models import Alert
    from reports.demo.attendance import LOOPHOLES

    judged = {
        "unreported_start": "R12",
        "pending_suspension": "R12",
        "pending_replacement": "R11",
        "devices_never_reported": "R03",
        "nobody_registered": "R04",
    }
    assert set(judged) == set(LOOPHOLES)
    for key, rule in judged.items():
        project = Project.objects.get(name__endswith=f"（{LOOPHOLES[key]}）")
        assert Alert.objects.filter(rule=rule, project=project).exists(), key
        assert LOOPHOLES[key] in seeded
    replaced = Project.objects.get(name__endswith=f"（{LOOPHOLES['pending_replacement']}）")
    holder = StatusRequest.objects.get(project=replaced, kind="manager_replacement", state="pending_district").replaced
    # The holder being replaced stopped coming; until the replacement is approved, he is still judged.
    assert Alert.objects.filter(rule="R11", project=replaced, subject_type="engagement", subject_id=holder.pk).exists()


def test_it_includes_inspections_cases_with_every_measure_a_blacklisted_vendor_and_a_campaign(seeded):
    import datetime as dt

    from django.utils import timezone

    from inspections.choices import MeasureKind
    from inspections.models import Alert, Campaign, Case, Inspection, Measure, RandomDraw

    assert Inspection.objects.filter(kind="site_visit").exists() and Inspection.objects.filter(kind="online_patrol")
    assert Inspection.objects.filter(findings__category="R06", device_tests__refuses_photo=False).exists()
    assert Alert.objects.filter(rule="R15", evidence__severity="penalty").exists()
    assert Case.objects.count() >= 8
    standing = set(Measure.objects.exclude(state__in=["proposed", "withdrawn"]).values_list("kind", flat=True))
    assert standing == set(MeasureKind.values)
    assert Measure.objects.filter(state="proposed", escalated_from__isnull=False).exists()  # the ladder ran
    assert Measure.objects.filter(replies__state="rejected").exists()
    assert Enterprise.objects.filter(is_vendor=True, blacklisted_on__isnull=False).exists()
    assert Device.objects.filter(vendor_blacklisted_at__isnull=False).exists()
    today = timezone.localdate()
    campaign = Campaign.objects.get()
    assert campaign.starts_on <= today <= campaign.ends_on
    assert campaign.phases.count() == 4 and campaign.districts.count() == 10
    assert RandomDraw.objects.get().campaign == campaign
    assert today - dt.timedelta(days=31) <= Inspection.objects.order_by("day").first().day


def test_a_second_city_runs_the_zhongshan_preset_one_project_per_clause(seeded, client):
    """中山 2019 上线通知, each project named for its clause: the old cohort's managers (四(二)–(三)) and the
    subcontractor's labour lead (四(一)) never punch and are never flagged; the safety evaluation report
    stopped everyone's attendance but the project manager's (三(十二)); the municipal works punch on a tablet
    (四(一)) without an R08 finding. Zhongshan's own account reads its city alone."""
    from inspections.models import Alert
    from inspections.selectors.policies import policy_for

    projects = {p.name.split("（", 1)[1]: p for p in Project.objects.filter(district__parent__code="442000")}
    assert len(projects) == 4 and "中山火炬区东利安置房工程" in seeded
    old = next(p for clause, p in projects.items() if clause.startswith("2020年2月1日前报建"))
    roles = next(p for clause, p in projects.items() if clause.startswith("只考核总包"))
    stops = next(p for clause, p in projects.items() if clause.startswith("安全评定后停止考勤"))
    tablets = next(p for clause, p in projects.items() if clause.startswith("市政工程"))
    assert all(policy_for(project=p).preset == "zhongshan_2019" for p in projects.values())
    assert not Alert.objects.filter(project=old, rule="R11").exists()
    assert not Alert.objects.filter(project=old, rule="R12", subject_code="managers").exists()
    assert Engagement.objects.filter(project=old, category="worker").count() == 12
    flagged = " ".join(
        Alert.objects.filter(rule="R11", project__in=projects.values()).values_list("subject", flat=True)
    )
    assert "劳务负责人" not in flagged
    assert Engagement.objects.filter(project=roles, position="labour_lead").exists()
    stop = StatusRequest.objects.get(project=stops, kind="stop_attendance")
    assert stop.state == "approved"
    assert not Alert.objects.filter(project=tablets, rule="R08").exists()
    assert client.post("/login/", {"username": "zhongshan", "password": "smz-demo-2026"}).status_code == 302
    listed = client.get("/api/v1/projects/").json()
    assert listed["count"] == 4 and {p["district"] for p in listed["results"]} == {"442000003"}
