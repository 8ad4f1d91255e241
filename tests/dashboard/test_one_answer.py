"""One answer per figure (issue 25): whether a punch counts, and a project's status on a day, are each
answered once (attendance.verdicts, projects.selectors.status_on) and every page, card, list, filter and
API reads that answer.

The attempts: a suspension approved today "from the 1st of next month" must not make the project read
停工 before then (nor vanish from the 在建 card), and a punch the rules found false must not read
"计入考勤：是" on its own page because the device passed it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from attendance.models import DailyPresence, Punch
from inspections.calendar import construction_days
from inspections.models import Alert, RandomDraw
from inspections.selectors import project_timeline
from inspections.services.triage import alert_dismiss
from projects.choices import ParticipantRole, StatusOnDay
from projects.models import Project
from projects.selectors import with_status_on
from projects.services.status import status_request_approve, status_request_submit
from tests.dashboard.pages import signed_in, text
from tests.dashboard.test_one_number import card, listed
from tests.factories import ProjectFactory, participate

pytestmark = pytest.mark.django_db


def _verdict_cell(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r'<td class="verdict">(.*?)</td>', page, flags=re.S).group(1)).strip()


# --- Whether a punch counts -------------------------------------------------------------------------------


def test_a_punch_the_rules_found_false_reads_not_counted_on_every_page_until_staff_lift_it(city, reused):
    """R07 found the photo reused: the device passed both punches (valid at intake); the platform counts
    the photo's first use and not the second."""
    district = signed_in(city, "haishu")
    first, punch = Punch.objects.order_by("punched_at")
    assert first.valid and punch.valid  # the device's own flag says nothing was wrong
    detail = district.get(f"/punches/{punch.pk}/", secure=True).content.decode()
    assert _verdict_cell(detail).startswith("否") and "R07" in _verdict_cell(detail)
    assert _verdict_cell(district.get(f"/punches/{first.pk}/", secure=True).content.decode()) == "是"
    alert_page = district.get(f"/alerts/{reused.pk}/", secure=True).content.decode()
    cells = re.findall(r'<td class="verdict">(.*?)</td>', alert_page, flags=re.S)
    assert [re.sub(r"<[^>]+>", "", c)[:1] for c in cells] == ["是", "否"]
    month = "2026-11"
    project_page = text(district.get(f"/projects/{city.project.permit_no}/?month={month}", secure=True))
    assert "R07" in project_page.split("未计入考勤的打卡", 1)[1]
    presence = DailyPresence.objects.get(person=punch.person_id, day=dt.date(2026, 11, 20))
    assert presence.valid_count == 0
    api = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month={month}")
    assert {row["rule"] for row in api.json()["uncounted"]} == {"R07"}

    alert_dismiss(user=city.users["haishu"], alert=reused, reason="同一家人共用手机拍照，现场核实为本人")
    detail = district.get(f"/punches/{punch.pk}/", secure=True).content.decode()
    assert _verdict_cell(detail) == "是"
    assert DailyPresence.objects.get(person=punch.person_id, day=dt.date(2026, 11, 20)).valid_count == 1
    assert (
        city.client("haishu")
        .get(f"/api/v1/projects/{city.project.permit_no}/presence/?month={month}")
        .json()["uncounted"]
        == []
    )


def test_the_admin_says_whether_a_punch_counts_as_the_platform_decides(city, reused):
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.create_superuser("ops", password="x")
    from django.test import Client

    client = Client()
    client.force_login(operator)
    not_counted = client.get("/admin/attendance/punch/?counts=no", secure=True).content.decode()
    counted = client.get("/admin/attendance/punch/?counts=yes", secure=True).content.decode()
    first, second = Punch.objects.order_by("punched_at").values_list("pk", flat=True)
    assert f"/admin/attendance/punch/{second}/change/" in not_counted
    assert f"/admin/attendance/punch/{first}/change/" not in not_counted
    assert f"/admin/attendance/punch/{first}/change/" in counted
    assert f"/admin/attendance/punch/{second}/change/" not in counted


# --- A project's status on a day ---------------------------------------------------------------------------

SH = dt.timezone(dt.timedelta(hours=8))


def _approved(city, project, **fields):
    project.refresh_from_db()
    request = status_request_submit(user=city.users["contractor"], project=project, reason="待料停工", **fields)
    status_request_approve(user=city.users["haishu"], status_request=request, comment="已核实")
    return status_request_approve(user=city.users["city"], status_request=request, comment="同意")


def _status(project: Project, day: dt.date) -> str:
    return with_status_on(Project.objects.filter(pk=project.pk), day).get().status_today


def test_a_suspension_approved_from_a_later_date_leaves_the_project_under_construction_until_then(city):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        _approved(city, city.project, kind="suspension", effective_from=dt.date(2026, 12, 1))
        city.project.refresh_from_db()
        client = signed_in(city, "city")
        page = text(client.get(f"/projects/{city.project.permit_no}/", secure=True))
        assert "在建" in page.split("\n", 3)[0] or "· 在建" in page
        overview = client.get("/", secure=True).content.decode()
        link, active = card(overview, "在建项目")
        assert link == f"/projects/?status=active&city={city.project.district.parent.code}"
        assert active == 2 == listed(client, link)
        assert card(overview, "停工项目")[1] == 0
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SH), tick=False):
        client = signed_in(city, "city")
        overview = client.get("/", secure=True).content.decode()
        assert card(overview, "在建项目")[1] == 1 == listed(client, link)
        link, suspended = card(overview, "停工项目")
        assert suspended == 1 == listed(client, link)
        assert "· 停工" in text(client.get(f"/projects/{city.project.permit_no}/", secure=True))
        answer = city.client("city").get("/api/v1/projects/?status_today=suspended").json()
        assert [p["permit_no"] for p in answer["results"]] == [city.project.permit_no]


def test_each_district_card_counts_exactly_the_rows_it_links_to(city):
    """Every kind of project of the four statuses, in both districts, read by the city and each district."""
    day = dt.date(2026, 11, 25)
    ProjectFactory(district=city.haishu, planned_start=dt.date(2026, 12, 20), status="not_started")
    ProjectFactory(district=city.haishu, completed_on=dt.date(2026, 11, 1))
    ProjectFactory(district=city.jiangbei, attendance_stopped_on=dt.date(2026, 11, 10))
    suspended = ProjectFactory(district=city.haishu)
    participate(suspended, city.contractor, ParticipantRole.CONTRACTOR)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=SH), tick=False):
        _approved(city, suspended, kind="suspension", effective_from=dt.date(2026, 11, 5))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        for who, page in (("city", "/"), ("haishu", "/districts/330203/"), ("jiangbei", "/districts/330205/")):
            client = signed_in(city, who)
            body = client.get(page, secure=True).content.decode()
            for label, status in (("在建项目", StatusOnDay.ACTIVE), ("停工项目", StatusOnDay.SUSPENDED)):
                link, figure = card(body, label)
                rows = listed(client, link)
                assert figure == rows, (who, label, figure, rows)
                expected = with_status_on(Project.objects.restrict(city.users[who], "view"), day).filter(
                    status_today=status
                )
                if "district=" in link:
                    expected = expected.filter(district__code=link.rsplit("=", 1)[1])
                assert rows == expected.count(), (who, label)
    assert _status(suspended, day) == StatusOnDay.SUSPENDED


def test_the_status_on_a_day_is_active_exactly_on_the_calendars_construction_days(city):
    """The SQL answer and the rules' calendar agree day by day, through a start moved later, a suspension
    with an end, an open one ended by a resumption, and a stop of attendance."""
    project = city.project
    with time_machine.travel(dt.datetime(2026, 8, 20, 10, tzinfo=SH), tick=False):
        _approved(city, project, kind="start_date_change", effective_from=dt.date(2026, 9, 10))
    with time_machine.travel(dt.datetime(2026, 9, 20, 10, tzinfo=SH), tick=False):
        _approved(
            city, project, kind="suspension", effective_from=dt.date(2026, 9, 25), effective_to=dt.date(2026, 9, 30)
        )
    with time_machine.travel(dt.datetime(2026, 10, 10, 10, tzinfo=SH), tick=False):
        _approved(city, project, kind="suspension", effective_from=dt.date(2026, 10, 12))
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=SH), tick=False):
        _approved(city, project, kind="resumption", effective_from=dt.date(2026, 10, 22))
    project.refresh_from_db()
    Project.objects.filter(pk=project.pk).update(attendance_stopped_on=dt.date(2026, 11, 15))
    project.refresh_from_db()
    timeline = project_timeline(project=project)
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=n) for n in range(90)]
    construction = set(construction_days(timeline, days))
    statuses = {day: _status(project, day) for day in days}
    assert {day for day, status in statuses.items() if status == StatusOnDay.ACTIVE} == construction
    assert statuses[dt.date(2026, 9, 5)] == StatusOnDay.NOT_STARTED
    assert statuses[dt.date(2026, 9, 27)] == statuses[dt.date(2026, 10, 15)] == StatusOnDay.SUSPENDED
    assert statuses[dt.date(2026, 10, 1)] == statuses[dt.date(2026, 10, 22)] == StatusOnDay.ACTIVE
    assert statuses[dt.date(2026, 11, 20)] == StatusOnDay.ATTENDANCE_STOPPED


def test_a_draw_larger_than_its_pool_is_refused_and_nothing_is_recorded(city):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        answer = city.client("haishu").post("/api/v1/draws/", {"district": "330203", "size": 99}, format="json")
    assert answer.status_code == 400
    assert "只有1个" in answer.json()["size"][0]
    assert not RandomDraw.objects.exists()


def test_every_page_reads_the_status_from_the_one_answer(city):
    """The dashboard's pages read a project's status from the one answer, not the recorded field: a
    project recorded 在建 whose permit's start is still ahead reads 未开工 everywhere."""
    Project.objects.filter(pk=city.other_project.pk).update(planned_start=dt.date(2027, 1, 1))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        client = signed_in(city, "city")
        listing = text(client.get("/projects/?status=not_started", secure=True))
        assert city.other_project.name in listing and city.project.name not in listing
        search = text(client.get(f"/search/?q={city.other_project.name}", secure=True))
        assert "未开工" in search


# --- Where an alert stands ------------------------------------------------------------------------------


def test_an_alert_taken_up_by_a_case_reads_in_a_case_and_leaves_the_to_handle_count(city, site):
    from inspections.services.cases import case_open

    standing = Alert.objects.filter(project=city.project, state="open").order_by("pk")
    taken = standing.first()
    acknowledged = standing.last()
    Alert.objects.filter(pk=acknowledged.pk).update(state="acknowledged")
    before = standing.count() + 1  # the acknowledged one is still to handle
    case_open(user=city.users["haishu"], project=city.project, title="管理人员到岗不足", alert_ids=[taken.pk])
    client = signed_in(city, "haishu")
    link, figure = card(client.get("/districts/330203/", secure=True).content.decode(), "未处理预警")
    assert figure == before - 1 == listed(client, link)
    # "全部未处理" on the triage page is the same list as the card's.
    views = client.get("/alerts/", secure=True).content.decode()
    everything_open = re.search(r'<a href="(\?live=1)">', views).group(1)
    assert listed(client, "/alerts/" + everything_open + "&group=0") == figure
    detail = text(client.get(f"/alerts/{taken.pk}/", secure=True))
    assert "已立案" in detail and "待处理" not in detail.split("状态", 1)[1].split("\n", 3)[0]
    in_case = client.get("/alerts/?handling=in_case&group=0", secure=True).content.decode()
    assert listed(client, "/alerts/?handling=in_case&group=0") == 1 and f"/alerts/{taken.pk}/" in in_case
    api = city.client("haishu").get("/api/v1/alerts/?handling=in_case").json()
    assert [(a["id"], a["handling"], a["state"]) for a in api["results"]] == [(taken.pk, "in_case", "open")]
    assert city.client("haishu").get("/api/v1/alerts/?handling=open").json()["count"] == before - 2


# --- The site's own errors -------------------------------------------------------------------------------

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize(
    ("form", "url", "field", "typed", "message"),
    [
        (
            "annex1",
            "/reports/annex1.xlsx?district=330203&from=2026-11-30&to=2026-11-01",
            "to",
            "2026-11-01",
            "统计期间的结束日期早于开始日期",
        ),
        (
            "annex1",
            "/reports/annex1.xlsx?district=330203&from=2026-13-01&to=2026-11-01",
            "from",
            "2026-13-01",
            "YYYY-MM-DD",
        ),
        (
            "ledger",
            "/reports/ledger.xlsx?project=330203202609010101&from=2026-11&to=2026-10",
            "to",
            "2026-10",
            "统计期间的结束日期早于开始日期",
        ),
        ("circular", "/reports/circular.xlsx?district=330203&month=2099-01", "month", "2099-01", "尚未开始"),
    ],
)
def test_a_report_form_with_bad_input_is_answered_on_the_reports_page_beside_the_field(
    city, form, url, field, typed, message
):
    client = signed_in(city, "haishu")
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        answer = client.get(url, secure=True, **BROWSER)
    page = answer.content.decode()
    assert answer.status_code == 400 and answer["Content-Type"].startswith("text/html")
    assert "Bad Request" not in page and "报表" in page  # the site's page, not the REST framework's
    refused = re.search(rf'<form [^>]*id="form-{form}" class="refused">(.*?)</form>', page, flags=re.S).group(1)
    beside = re.search(rf'name="{field}" value="([^"]*)">(<span class="field-error">[^<]*</span>)', refused)
    assert beside and beside.group(1) == typed, refused  # what was typed is kept
    assert message in beside.group(2)
    # An API client still gets the field errors as JSON.
    api = city.client("haishu").get(url)
    assert api.status_code == 400 and field in api.json()


def test_a_reversed_filter_range_is_answered_beside_the_field_and_lists_nothing(city, site):
    client = signed_in(city, "haishu")
    page = client.get("/alerts/?since=2026-11-20&until=2026-11-01&group=0", secure=True).content.decode()
    assert re.search(
        r'name="until" value="2026-11-01"[^>]*>\s*<span class="field-error"[^>]*>统计期间的结束日期早于开始日期', page
    )
    assert listed(client, "/alerts/?since=2026-11-20&until=2026-11-01&group=0") == 0
    for path in ("/api/v1/alerts/", "/api/v1/inspections/", "/api/v1/measures/"):
        answer = city.client("haishu").get(f"{path}?since=2026-11-20&until=2026-11-01")
        assert answer.status_code == 400 and "until" in answer.json(), path


def test_a_reused_photos_alert_names_the_photo_and_counts_what_its_evidence_counts(city, reused, gate):
    """R07's subject names the photo (no count that goes stale), the same photo used again on a later
    night updates the evidence and the page's total with it; R09's page total is its evidence's count."""
    assert reused.subject.startswith("重复使用的考勤照片（编号") and "条" not in reused.subject
    district = signed_in(city, "haishu")
    page = text(district.get(f"/alerts/{reused.pk}/", secure=True))
    assert "显示2条，共2条" in page.replace(" ", "")
    Alert.objects.filter(pk=reused.pk).update(evidence={**reused.evidence, "count": 68})  # R09's shape: 50 listed
    page = text(district.get(f"/alerts/{reused.pk}/", secure=True))
    assert "共68条" in page.replace(" ", "")
