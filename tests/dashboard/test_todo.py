"""待办 (issue 25): each account's page of what it has to act on, and the count in its menu. Every group is
what the scope lets the account act on there: the district approves first, the city second, the issuing
side reviews replies, the general contractor answers its orders; nobody sees another district's or
another firm's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from inspections.engine import rules_run
from inspections.models import Alert, Measure
from inspections.services.cases import case_open
from inspections.services.escalation import measures_escalate
from inspections.services.measures import MeasureIn, measure_issue
from inspections.services.replies import reply_review, reply_submit
from projects.services.status import status_request_approve, status_request_submit
from tests.dashboard.pages import signed_in, text
from tests.factories import engage, november_campaign, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def groups(client) -> dict[str, int]:
    """The 待办 page's groups and their counts, as the page shows them; and the menu's count agrees."""
    answer = client.get("/todo/", secure=True)
    assert answer.status_code == 200  # signed in (a session does not outlive a day of travel)
    page = answer.content.decode()
    found = {
        key: int(n)
        for key, n in re.findall(
            r'id="todo-(\w+)">\s*<h2>[^<]*<small class="badge" '
            r'data-count="(\d+)"',
            page,
        )
    }
    rows = {
        key: len(re.findall(r"<tr[^>]*><td class=\"num\">", section))
        for key, section in re.findall(r'id="todo-(\w+)">(.*?)</section>', page, flags=re.S)
    }
    assert rows == found  # every counted row is listed (fewer than 50 here)
    badge = re.search(r'class="badge" data-todo="(\d+)"', page)
    assert (int(badge.group(1)) if badge else 0) == sum(found.values())
    return found


def _suspension(city, reason: str):
    """The contractor asks to suspend Haishu's project from 1 December."""
    return status_request_submit(
        user=city.users["contractor"],
        project=city.project,
        kind="suspension",
        reason=reason,
        effective_from=dt.date(2026, 12, 1),
    )


def test_a_status_request_waits_on_the_district_then_on_the_city_with_the_first_comment_in_view(city):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        request = _suspension(city, "主体结构验收，暂停施工")
        haishu, town, contractor = (signed_in(city, who) for who in ("haishu", "city", "contractor"))
        assert groups(haishu) == {"first_approvals": 1}
        assert groups(town) == {} and groups(signed_in(city, "jiangbei")) == {}
        assert groups(contractor) == {"in_flight": 1}
        assert groups(signed_in(city, "other_contractor")) == {}
        page = text(haishu.get("/todo/", secure=True))
        assert "待初审的状态变更申请" in page and "主体结构验收" in page and "2026年12月1日" in page
        link = re.search(r'href="(/projects/[^"]+#request-\d+)"', haishu.get("/todo/", secure=True).content.decode())
        assert link.group(1) == f"/projects/{city.project.permit_no}/#request-{request.pk}"

        status_request_approve(user=city.users["haishu"], status_request=request, comment="现场已核实")
        assert groups(haishu) == {} and groups(town) == {"second_approvals": 1}
        second = text(town.get("/todo/", secure=True))
        assert "区县初审：haishu，2026年11月25日，意见：现场已核实" in second
        project = text(town.get(f"/projects/{city.project.permit_no}/", secure=True))
        assert "区县初审：haishu，2026年11月25日，意见：现场已核实" in project

        status_request_approve(user=city.users["city"], status_request=request, comment="同意")
        assert groups(town) == {} and groups(contractor) == {}


def _order(city, *, deadline: dt.date) -> Measure:
    alerts = list(Alert.objects.filter(project=city.project, rule="R01").values_list("pk", flat=True))
    case = case_open(user=city.users["haishu"], project=city.project, title="未安装考勤设备", alert_ids=alerts)
    return measure_issue(
        user=city.users["haishu"],
        case=case,
        data=MeasureIn(
            kind="rectification",
            issued_on=dt.date(2026, 11, 24),
            basis="R01",
            deadline=deadline,
            document_no="海建整〔2026〕12号",
        ),
    )


def test_an_order_reaches_the_contractor_its_reply_the_district_and_a_rejection_comes_back(city):
    rules_run(day=dt.date(2026, 11, 24))  # R01: no device on the site
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        order = _order(city, deadline=dt.date(2026, 12, 5))
        contractor, haishu = signed_in(city, "contractor"), signed_in(city, "haishu")
        assert contractor.get("/", secure=True)["Location"] == "/todo/"  # a firm starts from its 待办
        assert groups(contractor) == {"orders": 1}
        assert "海建整〔2026〕12号" in text(contractor.get("/todo/", secure=True))
        for other in ("subcontractor", "supervisor", "vendor", "other_contractor", "jiangbei"):
            assert groups(signed_in(city, other)) == {}, other

        reply = reply_submit(user=city.users["contractor"], measure=order, text="已安装闸机并接入平台")
        assert groups(contractor) == {} and groups(haishu) == {"replies": 1}
        assert "已安装闸机并接入平台" in text(haishu.get("/todo/", secure=True))

        reply_review(user=city.users["haishu"], reply=reply, accept=False, note="未见设备在线记录")
        assert groups(haishu) == {}
        assert groups(contractor) == {"orders": 1}
        assert "整改回复被退回，请重新回复" in text(contractor.get("/todo/", secure=True))


def test_an_error_page_shows_the_menu_without_counting_the_todo(city):
    """A refusal or a missing page keeps the menu and its 待办 link, and counts nothing: an account probing
    other districts' ids makes no count query (the count is one query over every group the scope gives)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rules_run(day=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        _order(city, deadline=dt.date(2026, 12, 5))
        contractor = signed_in(city, "contractor")
        assert 'class="badge" data-todo="1"' in contractor.get("/projects/", secure=True).content.decode()
        refused = (("/alerts/", 403), (f"/projects/{city.other_project.permit_no}/", 404), ("/no-such-page/", 404))
        for url, status in refused:
            with CaptureQueriesContext(connection) as queries:
                answer = contractor.get(url, secure=True)
            page = answer.content.decode()
            assert answer.status_code == status and 'href="/todo/"' in page and 'class="badge"' not in page, url
            assert not [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]], url


def test_an_order_past_its_deadline_and_the_ladders_proposals_wait_on_the_district(city):
    engage(city.project, city.contractor, person(name="王建国"), category="manager", position="project_manager")
    rules_run(day=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        _order(city, deadline=dt.date(2026, 11, 26))
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, tzinfo=SH), tick=False):
        haishu = signed_in(city, "haishu")
        assert groups(haishu) == {"overdue": 1}
        assert "已逾期" in text(haishu.get("/todo/", secure=True))
    rules_run(day=dt.date(2026, 11, 27))  # still no device after the deadline
    measures_escalate(today=dt.date(2026, 11, 28))
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, tzinfo=SH), tick=False):
        assert groups(signed_in(city, "haishu")) == {
            "proposals": 2
        }  # 吉建管〔2021〕6号 附件1第1项: a penalty and a credit record
        assert groups(signed_in(city, "contractor")) == {"orders": 1}  # the escalated order still awaits it
        assert groups(signed_in(city, "jiangbei")) == {}


def test_annex_1_waits_on_the_district_that_files_it_and_the_city_sees_it_once_overdue(city):
    november_campaign(city)  # Annex 1 due on 25 November
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=SH), tick=False):
        assert groups(signed_in(city, "haishu")) == {"filings": 1}
        assert groups(signed_in(city, "city")) == {}
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=SH), tick=False):
        assert groups(signed_in(city, "city")) == {"filings": 2}  # Haishu's and Jiangbei's
        page = text(signed_in(city, "city").get("/todo/", secure=True))
        assert "海曙区" in page and "江北区" in page and "已逾期" in page
        assert groups(signed_in(city, "contractor")) == {}


def test_the_home_pages_show_the_panel_and_an_empty_page_says_so(city):
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        _suspension(city, "待料")
        home = signed_in(city, "haishu").get("/districts/330203/", secure=True).content.decode()
        assert re.search(
            r'href="/todo/#todo-first_approvals">待初审的状态变更申请 <span class="badge" '
            r'data-count="1">',
            home,
        )
        assert "暂无待办" in text(signed_in(city, "jiangbei").get("/todo/", secure=True))


def test_the_cases_list_shows_each_account_its_cases_with_their_measures_states(city):
    rules_run(day=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        order = _order(city, deadline=dt.date(2026, 12, 5))
        for who, expected in (
            ("haishu", 1),
            ("city", 1),
            ("contractor", 1),
            ("jiangbei", 0),
            ("other_contractor", 0),
            ("vendor", 0),
        ):
            page = signed_in(city, who).get("/cases/", secure=True).content.decode()
            assert int(re.search(r'data-count="(\d+)"', page).group(1)) == expected, who
        listed = text(signed_in(city, "haishu").get("/cases/", secure=True))
        assert "未安装考勤设备" in listed and "已下达 1" in listed and city.project.name in listed
        closed = signed_in(city, "haishu").get("/cases/?state=closed", secure=True).content.decode()
        assert 'data-count="0"' in closed
        assert f"/cases/{order.case_id}/" in signed_in(city, "contractor").get("/cases/", secure=True).content.decode()


def test_the_menus_count_is_compiled_once_an_account_and_follows_the_account_when_it_moves(city):
    """The menu counts the 待办 on every page from a statement compiled once per account and day: the second page
    compiles nothing, a new request shows at once, and staff moved to another district count that district's."""
    from reports.dashboard import todo

    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        haishu = signed_in(city, "haishu")
        assert groups(haishu) == {}
        (key,) = [key for key in todo._COMPILED if key[1] == city.users["haishu"].pk]  # compiling read nothing
        statement = todo._COMPILED[key]
        _suspension(city, "主体结构验收，暂停施工")
        assert groups(haishu) == {"first_approvals": 1}  # the kept statement counts what is there now
        assert todo._COMPILED[key] is statement  # not compiled again
        staff = city.users["haishu"]
        staff.district = city.jiangbei
        staff.save()
        assert groups(haishu) == {}  # Jiangbei has nothing to approve; Haishu's request is not its


def test_the_kept_menu_shows_the_accounts_district_as_it_is_now_and_in_the_accounts_language(city):
    """The left-hand menu is rendered once per account, district and language and then kept: a renamed district,
    an account moved to another district and a change of language each show on the next page."""
    haishu = signed_in(city, "haishu")

    def menu() -> str:
        page = haishu.get("/todo/", secure=True).content.decode()
        return re.search(r'<aside class="side">(.*?)</aside>', page, re.S).group(1)

    assert f'href="/districts/{city.haishu.code}/">海曙区</a>' in menu() and "待办" in menu()
    city.haishu.name = "海曙区（新）"
    city.haishu.save()
    assert f'href="/districts/{city.haishu.code}/">海曙区（新）</a>' in menu()
    staff = city.users["haishu"]
    staff.district = city.jiangbei
    staff.save()
    assert f'href="/districts/{city.jiangbei.code}/">江北区</a>' in menu() and "海曙区" not in menu()
    haishu.post("/language/", {"language": "en", "next": "/todo/"}, secure=True)
    english = menu()
    assert "To do" in english and "待办" not in english and f'href="/districts/{city.jiangbei.code}/"' in english


def test_the_todo_page_and_its_menu_badge_are_counted_once(city):
    """The page's groups and the menu's badge are one count: one statement, and they cannot disagree."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        _suspension(city, "待料")
        haishu = signed_in(city, "haishu")
        with CaptureQueriesContext(connection) as page:
            assert groups(haishu) == {"first_approvals": 1}  # groups() also holds the badge to the page's sum
    assert sum(query["sql"].startswith("SELECT (SELECT COUNT(*)") for query in page) == 1
