"""The dashboard's pages rendered by Django: jurisdiction, figures, the calendar, triage, query bounds."""

from __future__ import annotations

import pytest
from django.test import Client

from inspections.models import Alert

pytestmark = pytest.mark.django_db


def _login(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def test_the_login_page_speaks_chinese_and_pages_need_a_login(db, client):
    page = client.get("/login/")
    assert page.status_code == 200 and "登录" in page.content.decode()
    assert client.get("/").status_code == 302 and client.get("/").url.startswith("/login/")
    assert client.get("/alerts/")["Location"].startswith("/login/")


def test_the_city_sees_every_district_with_figures_and_charts(city, site, django_assert_max_num_queries):
    client = _login(city, "city")
    with django_assert_max_num_queries(20):
        page = client.get("/").content.decode()
    assert "海曙区" in page and "江北区" in page
    assert "<svg" in page and "在场人数" in page  # the 30-day trend, drawn on the server
    assert "2026年11月25日" in page  # dates the Chinese way
    assert 'href="/districts/330203/"' in page


def test_district_staff_see_only_their_district(city, site, django_assert_max_num_queries):
    client = _login(city, "haishu")
    assert client.get("/")["Location"] == "/districts/330203/"
    with django_assert_max_num_queries(20):
        page = client.get("/districts/330203/").content.decode()
    assert city.project.name in page and city.other_project.name not in page
    assert client.get("/districts/330205/").status_code == 404
    listed = client.get("/projects/").content.decode()
    assert city.project.name in listed and city.other_project.name not in listed
    assert client.get(f"/projects/{city.other_project.permit_no}/").status_code == 404
    assert "江北区" not in client.get("/alerts/").content.decode()


def test_the_project_page_shows_the_month_calendar(city, site, django_assert_max_num_queries):
    client = _login(city, "haishu")
    with django_assert_max_num_queries(26):  # 25, and the menu's 待办 count (one query)
        page = client.get(f"/projects/{city.project.permit_no}/?month=2026-11").content.decode()
    assert "2026年11月" in page
    assert "王建国" in page and site["manager"].person.id_number_masked in page
    assert site["manager"].person.reveal_id_number() not in page  # masked, never the full number
    # 21 November is a Saturday: the manager is absent on a construction day (Sundays count by default).
    assert page.count('class="m-absent"') >= 3 and page.count('class="m-attended"') >= 15
    assert 'class="heat h4"' in page or 'class="heat h3"' in page
    assert "HS-GATE-01" in page


def test_alerts_are_dismissed_in_bulk_only_with_a_reason(city, site, django_assert_max_num_queries):
    client = _login(city, "haishu")
    regulator = _login(city, "city")
    everything = regulator.get("/alerts/?state=open&group=0&size=100").content.decode()  # the wage rules find more
    assert ">R01</a>" in everything and ">R04</a>" in everything  # Jiangbei's site has no device
    with django_assert_max_num_queries(10):
        listed = regulator.get("/alerts/?state=open&rule=R04&since=2026-11-01&group=0").content.decode()
    assert ">R04</a>" in listed and ">R01</a>" not in listed  # the rows, not the filter's options
    ids = list(Alert.objects.filter(project=city.project, state="open").values_list("pk", flat=True))
    assert ids
    refused = client.post("/alerts/triage/", {"alert": ids, "action": "dismiss", "reason": ""}, follow=True)
    assert "请填写排除预警的理由" in refused.content.decode()
    assert Alert.objects.filter(pk__in=ids, state="open").count() == len(ids)
    done = client.post(
        "/alerts/triage/",
        {"alert": ids, "action": "dismiss", "reason": "已现场核实，误报", "query": "state=open"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/alerts/?state=open"
    assert set(Alert.objects.filter(pk__in=ids).values_list("state", "dismissed_reason")) == {
        ("dismissed", "已现场核实，误报")
    }


def test_one_alert_is_acknowledged_from_its_evidence_page(city, site):
    client = _login(city, "haishu")
    alert = Alert.objects.filter(project=city.project, state="open").first()
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert alert.rule in page and "证据" in page
    client.post("/alerts/triage/", {"alert": [alert.pk], "single": alert.pk, "action": "acknowledge"})
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
    other = Alert.objects.filter(project=city.other_project).first()
    assert client.get(f"/alerts/{other.pk}/").status_code == 404
    client.post("/alerts/triage/", {"alert": [other.pk], "action": "dismiss", "reason": "越权"})
    other.refresh_from_db()
    assert other.state != "dismissed"


def test_enterprise_users_see_their_projects_but_not_the_triage(city, site):
    client = _login(city, "contractor")
    assert client.get("/")["Location"] == "/todo/"  # a firm starts from what it has to do
    assert client.get(f"/projects/{city.project.permit_no}/").status_code == 200
    assert client.get("/alerts/").status_code == 403
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/projects/{city.other_project.permit_no}/").status_code == 404


def test_the_device_page_and_the_reports_page(city, site, gate, django_assert_max_num_queries):
    client = _login(city, "haishu")
    with django_assert_max_num_queries(10):
        page = client.get(f"/devices/{gate.serial}/").content.decode()
    assert gate.serial in page and "在线记录" in page
    with django_assert_max_num_queries(12):
        reports = client.get("/reports/").content.decode()
    assert 'action="/reports/annex1.xlsx"' in reports and 'action="/reports/ledger.xlsx"' in reports
    assert "江北区" not in reports
    # The forms are set to last month, the month a regulator files (the clock: 25 November 2026).
    assert 'name="from" value="2026-10-01"' in reports and 'name="to" value="2026-10-31"' in reports
    assert reports.count('name="month" value="2026-10"') == 2


def test_the_roll_up_task_is_scheduled_after_the_nightly_rules(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-roll-up"]
    assert entry["task"] == "reports.tasks.dashboard_roll_up_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {0})


def test_a_long_city_workbook_from_the_reports_page_leads_to_its_status_page(city, site):
    client = _login(city, "city")
    started = client.get("/reports/annex1.xlsx?from=2026-01-01&to=2026-11-30", HTTP_ACCEPT="text/html")
    assert started.status_code == 302 and started["Location"].startswith("/reports/jobs/")
    status = client.get(started["Location"], HTTP_ACCEPT="text/html").content.decode()
    assert "已生成" in status and "/download" in status
