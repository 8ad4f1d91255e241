"""Alert triage that scales (issue 15): R11's managers of one project and month on one row, sorting,
a project-name filter, new since yesterday, bulk actions on everything filtered, and the export."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from inspections.models import Alert
from smz_platform.common.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def alert(project, rule: str, subject: str, *, days_ago: int = 0, period=OCTOBER) -> Alert:
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Alert.objects.create(
        key=f"{rule}:{project.pk}:{subject}",
        subject_key=f"{rule}:{project.pk}:{subject}",
        rule=rule,
        project=project,
        subject_type="engagement",
        subject=subject,
        period_start=period[0],
        period_end=period[1],
        first_detected=at,
        last_seen=at,
        evidence={},
    )


@pytest.fixture
def listed(city):
    names = ("王建国（项目经理）", "李卫（技术负责人）", "张强（安全员）")
    managers = [alert(city.project, "R11", name) for name in names]
    old = alert(city.project, "R04", "总监理工程师（无人进场登记）", days_ago=5, period=(dt.date(2026, 11, 1),) * 2)
    elsewhere = alert(city.other_project, "R11", "赵江（项目经理）")
    return {"managers": managers, "old": old, "elsewhere": elsewhere}


def page(city, who: str, query: str) -> str:
    client = Client()
    client.force_login(city.users[who])
    return client.get(f"/alerts/?{query}", secure=True).content.decode()


def test_r11_managers_of_one_project_and_month_are_one_row_naming_them(city, listed):
    grouped = page(city, "city", "rule=R11")
    rows = [set(value.split(",")) for value in re.findall(r'name="alert" value="([\d,]+)"', grouped)]
    assert {str(a.pk) for a in listed["managers"]} in rows
    assert all(name in grouped for name in ("王建国（项目经理）", "李卫（技术负责人）", "张强（安全员）"))
    assert grouped.count('name="alert"') == 2  # Haishu's project and Jiangbei's
    assert page(city, "city", "rule=R11&group=0").count('name="alert"') == 4


def test_the_project_filter_takes_part_of_a_name_within_the_jurisdiction(city, listed):
    found = page(city, "haishu", "project_name=中心小学&group=0")
    assert "王建国（项目经理）" in found and "赵江" not in found
    assert "赵江" not in page(city, "haishu", "project_name=滨江&group=0")
    assert "赵江" in page(city, "city", "project_name=滨江&group=0")


def test_every_column_sorts_both_ways(city, listed):
    ascending = page(city, "city", "o=rule&group=0")
    descending = page(city, "city", "o=-rule&group=0")
    assert ascending.index("总监理工程师（无人进场登记）") < ascending.index("王建国（项目经理）")
    assert descending.index("王建国（项目经理）") < descending.index("总监理工程师（无人进场登记）")
    assert "o=-rule" in ascending  # the header links the other way


@pytest.mark.parametrize("order", ["", "o=rule", "o=-rule", "o=subject", "o=-subject", "o=-last_seen", "o=period"])
def test_grouped_rows_stand_where_their_first_alert_stands_on_every_page(city, listed, order):
    # Thirty more R04 alerts a day apart, on 28 days of September (two days hold two alerts each, a month
    # apart in age), so that the grouped list runs to two pages and rows gather alerts far apart.
    for n in range(30):
        alert(city.project, "R04", f"项目负责人{n:02d}", days_ago=n + 1, period=(dt.date(2026, 9, n % 28 + 1),) * 2)
    flat = re.findall(r'name="alert" value="(\d+)"', page(city, "city", f"{order}&group=0&size=100"))
    first_of = {}  # alert id -> the grouped row it belongs to, by the row's position among the flat list
    grouped = []
    for number in (1, 2):
        html = page(city, "city", f"{order}&size=20&page={number}")
        grouped += [value.split(",") for value in re.findall(r'name="alert" value="([\d,]+)"', html)]
    assert sorted(i for ids in grouped for i in ids) == sorted(flat)  # every alert on exactly one row
    for position, ids in enumerate(grouped):
        for i in ids:
            first_of[i] = position
    rows_in_flat_order = list(dict.fromkeys(first_of[i] for i in flat))
    assert rows_in_flat_order == list(range(len(grouped)))
    assert len(grouped) == 3 + 28 and len(flat) == 5 + 30


def test_the_grouped_list_reaches_the_oldest_of_thousands_of_alerts(city, listed):
    # It grouped the newest 2,000 alerts only: the rows of older ones were on no page.
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            key=f"R13:{city.project.pk}:{n}",
            subject_key=f"R13:{city.project.pk}:{n}",
            rule="R13",
            project=city.project,
            subject_type="engagement",
            subject=f"工人{n:04d}",
            period_start=dt.date(2020, 1, 1) + dt.timedelta(days=n),
            period_end=dt.date(2020, 1, 1) + dt.timedelta(days=n),
            first_detected=now - dt.timedelta(minutes=n + 10),
            last_seen=now - dt.timedelta(minutes=n + 10),
            evidence={},
        )
        for n in range(2100)
    )
    first = page(city, "city", "size=100")
    assert 'data-count="2105"' in first
    last = page(city, "city", "size=100&page=22")  # 2,103 rows: R11 of two projects, R04, 2,100 R13
    assert "工人2099" in last and "工人0000" not in last


def test_the_triage_opens_on_what_is_new_since_yesterday(city, listed):
    nav = page(city, "haishu", "state=open")
    assert "/alerts/?new=1&live=1" in nav  # new, and still to handle (inspections.selectors.handling)
    new = page(city, "haishu", "new=1&live=1&group=0")
    assert "王建国（项目经理）" in new and "总监理工程师（无人进场登记）" not in new  # five days old


def test_a_bulk_action_on_everything_filtered_changes_only_that(city, listed):
    client = Client()
    client.force_login(city.users["haishu"])
    answer = client.post("/alerts/triage/", {"action": "acknowledge", "scope": "all", "query": "rule=R11"}, secure=True)
    assert answer.status_code == 302
    assert {a.state for a in Alert.objects.filter(pk__in=[a.pk for a in listed["managers"]])} == {"acknowledged"}
    assert Alert.objects.get(pk=listed["old"].pk).state == "open"  # another rule
    assert Alert.objects.get(pk=listed["elsewhere"].pk).state == "open"  # another district


def test_a_grouped_row_ticks_all_its_alerts_and_nothing_of_another_district(city, listed):
    client = Client()
    client.force_login(city.users["haishu"])
    ids = ",".join(str(a.pk) for a in [*listed["managers"], listed["elsewhere"]])
    client.post("/alerts/triage/", {"action": "dismiss", "reason": "同一项目同月合并处理", "alert": [ids]}, secure=True)
    assert {a.state for a in Alert.objects.filter(pk__in=[a.pk for a in listed["managers"]])} == {"dismissed"}
    assert Alert.objects.get(pk=listed["elsewhere"].pk).state == "open"


def test_the_filtered_list_is_exported_within_the_jurisdiction_and_audited(city, listed):
    client = Client()
    client.force_login(city.users["haishu"])
    answer = client.get("/alerts/export.xlsx?rule=R11", secure=True)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    subjects = [row[5] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sorted(subjects) == sorted(a.subject for a in listed["managers"])
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.username, event.record_count) == ("haishu", 3) and "预警清单" in event.what


def test_a_case_is_opened_from_the_ticked_alerts_of_one_project(city, listed):
    from inspections.models import Case

    client = Client()
    client.force_login(city.users["haishu"])
    ids = ",".join(str(a.pk) for a in listed["managers"])
    form = {"action": "open_case", "title": "项目管理人员到岗履职不足", "alert": [ids]}
    answer = client.post("/alerts/triage/", form, follow=True, secure=True)
    assert answer.redirect_chain[-1][0] == f"/projects/{city.project.permit_no}/"
    assert "已立案" in answer.content.decode() and "项目管理人员到岗履职不足" in answer.content.decode()
    case = Case.objects.get()
    assert case.project == city.project and set(case.alerts.values_list("pk", flat=True)) == {
        a.pk for a in listed["managers"]
    }


def test_a_case_needs_its_title_one_project_and_the_accounts_own_alerts(city, listed):
    from inspections.models import Case

    client = Client()
    client.force_login(city.users["haishu"])
    ids = [str(listed["managers"][0].pk)]
    page = client.post(
        "/alerts/triage/", {"action": "open_case", "title": " ", "alert": ids}, follow=True, secure=True
    ).content.decode()
    assert "标题" in page
    city_client = Client()
    city_client.force_login(city.users["city"])
    both = [str(listed["managers"][0].pk), str(listed["elsewhere"].pk)]
    page = city_client.post(
        "/alerts/triage/", {"action": "open_case", "title": "合并", "alert": both}, follow=True, secure=True
    ).content.decode()
    assert "同一项目" in page
    # Another district's alert: it is not Haishu's to put in a case (nothing of it is found).
    form = {"action": "open_case", "title": "越权", "alert": [str(listed["elsewhere"].pk)]}
    page = client.post("/alerts/triage/", form, follow=True, secure=True).content.decode()
    assert "同一项目" in page
    assert not Case.objects.exists()
