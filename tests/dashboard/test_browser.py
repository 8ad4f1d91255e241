"""The dashboard in a real browser: Playwright driving Debian's headless Chromium against a live
server. District staff log in and see only their district, open a project and its calendar, dismiss
an alert with a reason and download Annex 1; the city regulator sees every district. Each page is
photographed into $SMZ_SCREENSHOTS (make screenshots: docs/screenshots/)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.db import connections
from openpyxl import load_workbook

from inspections.models import Alert

CHROMIUM = os.environ.get("SMZ_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a-long-test-password"  # tests.factories.account


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("SMZ_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM reads are
    # still plain synchronous code (Django's documented escape hatch for such test drivers).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
    # The test's ORM reads ran in Playwright's context, which Django gives connections of its own:
    # close them, or the test database cannot be dropped at the end of the run.
    connections.close_all()


def _login(browser, live_server, username: str):
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN", accept_downloads=True)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


# serialized_rollback: the policies and code tables that migrations wrote survive the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_district_staff_run_their_day_in_the_browser(city, site, live_server, browser, shots, tmp_path):
    login = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    login.goto(f"{live_server.url}/login/")
    assert "登录" in login.content()
    login.screenshot(path=shots / "login.png", full_page=True)

    page = _login(browser, live_server, "haishu")
    assert page.url.endswith("/districts/330203/")
    body = page.inner_text("body")
    assert "海曙区" in body and city.project.name in body
    assert "江北区" not in body and city.other_project.name not in body
    page.screenshot(path=shots / "district.png", full_page=True)

    page.click(f"text={city.project.name}")
    page.wait_for_load_state()
    assert "/projects/" in page.url
    assert page.locator("table.calendar").is_visible()
    assert page.locator("td.m-attended").count() > 0
    assert site["manager"].person.reveal_id_number() not in page.content()
    page.screenshot(path=shots / "project.png", full_page=True)

    page.click("text=HS-GATE-01")
    page.wait_for_load_state()
    assert "在线记录" in page.inner_text("body")
    page.screenshot(path=shots / "device.png", full_page=True)

    page.goto(f"{live_server.url}/alerts/?state=open&group=0")
    target = Alert.objects.filter(project=city.project, state="open").order_by("-last_seen", "-id").first()
    page.screenshot(path=shots / "alerts.png", full_page=True)
    page.check(f"input[name=alert][value='{target.pk}']")
    page.fill("input[name=reason]", "现场核实为误报")
    page.click("button[value=dismiss]")
    page.wait_for_load_state()
    assert "已更新" in page.inner_text(".messages")
    target.refresh_from_db()
    assert (target.state, target.dismissed_reason, target.dismissed_by.username) == (
        "dismissed",
        "现场核实为误报",
        "haishu",
    )

    other = Alert.objects.filter(project=city.project, state="open").first()
    page.goto(f"{live_server.url}/alerts/{other.pk}/")
    assert "证据" in page.inner_text("body")
    page.screenshot(path=shots / "alert.png", full_page=True)

    page.goto(f"{live_server.url}/reports/")
    page.screenshot(path=shots / "reports.png", full_page=True)
    annex1 = page.locator("form[action='/reports/annex1.xlsx']")
    annex1.locator("input[name=from]").fill("2026-11-01")
    annex1.locator("input[name=to]").fill("2026-11-30")
    with page.expect_download() as download:
        annex1.locator("button[type=submit]").click()
    saved = tmp_path / "annex1.xlsx"
    download.value.save_as(saved)
    workbook = load_workbook(io.BytesIO(saved.read_bytes()))
    assert workbook.sheetnames[0] == "海曙区"
    assert workbook["海曙区"]["A2"].value == "实名制管理专项整治行动查处情况统计表"
    connections.close_all()  # see the browser fixture


# serialized_rollback: the policies and code tables that migrations wrote survive the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_city_regulator_sees_every_district(city, site, live_server, browser, shots):
    page = _login(browser, live_server, "city")
    body = page.inner_text("body")
    assert "海曙区" in body and "江北区" in body
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=shots / "city.png", full_page=True)
    page.click("a[href='/districts/330205/']")
    page.wait_for_load_state()
    assert city.other_project.name in page.inner_text("body")
    connections.close_all()  # see the browser fixture


@pytest.fixture
def worker_number(city) -> str:
    """A worker of Haishu's project, made before the browser starts (ORM writes outside its loop)."""
    from tests.factories import engage, id_number, person

    number = id_number("330203", "19850612", 231)
    engage(city.project, city.subcontractor, person(number, name="张卫东"))
    return number


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_district_staff_find_a_person_by_id_number_from_the_header(city, worker_number, live_server, browser, shots):
    number = worker_number
    page = _login(browser, live_server, "haishu")
    page.goto(f"{live_server.url}/projects/")
    page.fill("header form.search input[name=q]", number)
    page.click("header form.search button[type=submit]")
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "张卫东" in body and number[:6] + "********" + number[-4:] in body
    assert number not in page.content() and number not in page.url  # masked, and never in the address
    page.screenshot(path=shots / "search.png", full_page=True)
    page.click(f"text={city.project.name}")
    page.wait_for_load_state()
    assert page.url.endswith(f"/projects/{city.project.permit_no}/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_contractor_files_a_suspension_and_the_district_and_the_city_approve_it(
    city, live_server, browser, shots, tmp_path
):
    import datetime as dt

    scan = tmp_path / "停工申请表.pdf"
    scan.write_bytes(b"%PDF-1.4 stamped form")
    project_url = f"{live_server.url}/projects/{city.project.permit_no}/"
    page = _login(browser, live_server, "contractor")
    page.goto(project_url)
    form = page.locator("form.file-request")
    form.locator("select[name=kind]").select_option("suspension")
    form.locator("input[name=reason]").fill("主体结构验收，暂停施工")
    form.locator("input[name=effective_from]").fill(dt.date.today().isoformat())
    form.locator("input[name=attachment]").set_input_files(str(scan))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "申请已提交，待区县审核" in page.inner_text("body")
    page.screenshot(path=shots / "request-filed.png", full_page=True)

    # Each approver finds the request in its 待办 from its home page, not by knowing the project.
    for who, group, after in (
        ("haishu", "待初审的状态变更申请", "待市级审批"),
        ("city", "待复审的状态变更申请", "已批准"),
    ):
        page = _login(browser, live_server, who)
        page.click(f".todo-panel a:has-text('{group}')")
        page.wait_for_load_state()
        assert "/todo/" in page.url
        row = page.locator(f"section.todo:has-text('{group}') tbody tr").first
        assert city.project.name in row.inner_text()
        if who == "haishu":
            assert "主体结构验收" in row.inner_text()
        if who == "city":  # the second approval with the first level's comment in view
            assert "区县初审：haishu" in row.inner_text() and "意见：已核实" in row.inner_text()
            page.screenshot(path=shots / "todo-city.png", full_page=True)
        row.locator("a:has-text('办理')").click()
        page.wait_for_load_state()
        assert f"/projects/{city.project.permit_no}/" in page.url and "#request-" in page.url
        assert "停工申请表.pdf" in page.inner_text("body")
        if who == "city":
            assert "区县初审：haishu" in page.inner_text("table.requests")
        decide = page.locator("form.decide")
        decide.locator("input[name=comment]").fill("已核实")
        # The decision is final: the box says so and to whom it goes, and it must be ticked.
        assert "施工总承包单位" in decide.locator("label.confirm").inner_text()
        decide.locator("input[name=confirm]").check()
        decide.locator("button[value=approve]").click()
        page.wait_for_load_state()
        assert "已批准。" in page.inner_text("body")
        assert after in page.locator("table.requests").inner_text()
    assert "停工" in page.inner_text("body")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_district_opens_a_case_issues_an_order_the_contractor_answers_and_the_district_accepts(
    city, site, live_server, browser, shots, tmp_path
):
    order_scan = tmp_path / "整改通知书.pdf"
    order_scan.write_bytes(b"%PDF-1.4 order")
    photo = tmp_path / "闸机照片.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    target = Alert.objects.filter(project=city.project, state="open").order_by("-last_seen", "-id").first()

    page = _login(browser, live_server, "haishu")
    page.goto(f"{live_server.url}/alerts/?state=open&group=0")
    page.check(f"input[name=alert][value='{target.pk}']")
    page.fill("input[name=title]", "项目经理考勤不足")
    page.click("button[value=open_case]")
    page.wait_for_load_state()
    assert "已立案" in page.inner_text(".messages")
    page.click("#cases a:has-text('项目经理考勤不足'), table a:has-text('项目经理考勤不足')")
    page.wait_for_load_state()
    assert "/cases/" in page.url
    case_url = page.url
    form = page.locator("form.issue")
    form.locator("select[name=kind]").select_option("rectification")
    form.locator("select[name=basis]").select_option("R11")
    form.locator("input[name=document_no]").fill("海建整〔2026〕12号")
    form.locator("input[name=deadline]").fill("2026-12-02")
    form.locator("input[name=document]").set_input_files(str(order_scan))
    form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "处理措施已下达" in page.inner_text(".messages")
    page.screenshot(path=shots / "case.png", full_page=True)

    # The contractor lands on its 待办, where the order waits, and answers it from there.
    page = _login(browser, live_server, "contractor")
    assert page.url.endswith("/todo/")
    order = page.locator("section#todo-orders tbody tr").first
    assert "海建整〔2026〕12号" in order.inner_text()
    page.screenshot(path=shots / "todo-contractor.png", full_page=True)
    order.locator("a:has-text('办理')").click()
    page.wait_for_load_state()
    assert "/cases/" in page.url and "#measure-" in page.url
    assert "整改通知书.pdf" in page.inner_text("body")
    page.fill("textarea[name=text]", "项目经理已按规定到岗考勤")
    page.set_input_files("input[name=files]", str(photo))
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    assert "整改回复已提交" in page.inner_text(".messages")

    page = _login(browser, live_server, "haishu")
    page.click(".todo-panel a:has-text('待审核的整改回复')")
    page.wait_for_load_state()
    page.locator("section#todo-replies tbody tr a:has-text('办理')").first.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == case_url.split("#")[0]
    assert "项目经理已按规定到岗考勤" in page.inner_text("body") and "闸机照片.png" in page.inner_text("body")
    page.fill("input[name=note]", "现场核实到岗")
    page.click("button[value=accept]")
    page.wait_for_load_state()
    assert "整改已通过" in page.inner_text(".messages")
    assert "已办结" in page.inner_text("article.measure")
    history = page.inner_text("table.history")
    assert all(words in history for words in ("立案", "下达处理措施", "提交整改回复", "整改通过"))
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_district_confirms_the_ladders_proposal_it_finds_in_its_todo(city, live_server, browser, shots):
    import datetime as dt

    from inspections.engine import rules_run
    from inspections.models import Measure
    from inspections.services.cases import case_open
    from inspections.services.escalation import measures_escalate
    from inspections.services.measures import MeasureIn, measure_issue
    from tests.factories import engage, person

    engage(city.project, city.contractor, person(name="王建国"), category="manager", position="project_manager")
    rules_run(day=dt.date(2026, 11, 24))  # R01: no device on the site
    alerts = list(Alert.objects.filter(project=city.project, rule="R01").values_list("pk", flat=True))
    case = case_open(user=city.users["haishu"], project=city.project, title="未安装考勤设备", alert_ids=alerts)
    data = MeasureIn(kind="rectification", issued_on=dt.date(2026, 11, 24), basis="R01", deadline=dt.date(2026, 11, 26))
    order = measure_issue(user=city.users["haishu"], case=case, data=data)
    rules_run(day=dt.date(2026, 11, 27))  # still no device after the deadline
    measures_escalate(today=dt.date(2026, 11, 28))
    credit = Measure.objects.get(escalated_from=order, kind="credit")

    page = _login(browser, live_server, "haishu")
    page.click(".todo-panel a:has-text('待确认的拟定措施')")
    page.wait_for_load_state()
    assert page.locator("section#todo-proposals tbody tr").count() == 2
    page.locator(f"section#todo-proposals a[href$='#measure-{credit.pk}']").click()
    page.wait_for_load_state()
    proposal = page.locator(f"article#measure-{credit.pk}")
    proposal.locator("input[name=document_no]").fill("海建信〔2026〕3号")
    proposal.locator("input[name=confirm]").check()
    proposal.locator("button:has-text('确认并下达')").click()
    page.wait_for_load_state()
    assert "已确认并下达" in page.inner_text(".messages")
    credit.refresh_from_db()
    assert (credit.state, credit.document_no) == ("issued", "海建信〔2026〕3号")
    page.goto(f"{live_server.url}/todo/")
    assert page.locator("section#todo-proposals tbody tr").count() == 1
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_inspector_records_a_site_visit_on_a_phone(city, site, gate, live_server, browser, shots, tmp_path):
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    page = _login(browser, live_server, "haishu")
    page.set_viewport_size({"width": 390, "height": 844})
    # On site, the project page's first screen holds the visit's form link.
    page.goto(f"{live_server.url}/projects/{city.project.permit_no}/")
    visit = page.locator("p.quick a:has-text('录入检查记录')")
    assert visit.bounding_box()["y"] + visit.bounding_box()["height"] < 844
    visit.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/projects/{city.project.permit_no}/inspections/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.fill("input[name=headcount]", "12")
    page.select_option("select[name='finding-0-category']", "R02")
    page.fill("input[name='finding-0-description']", "考勤机摄像头被遮挡")
    page.select_option("select[name='test-HS-GATE-01']", "refuses_both")
    page.set_input_files("input[name=photos]", str(photo))
    page.screenshot(path=shots / "inspection-phone.png", full_page=True)
    page.click("form.visit button[type=submit]")
    page.wait_for_load_state()
    assert "检查记录已保存，共1条发现" in page.inner_text(".messages")
    assert "考勤机摄像头被遮挡" in page.inner_text("form.findings")
    connections.close_all()  # see the browser fixture


@pytest.fixture
def annex1_drafts(city, site):
    """A campaign whose local inspection ends today (25 November), and the drafts the night prepared."""
    from reports.tasks import prepare_submission_drafts_task
    from tests.factories import november_campaign

    november_campaign(city)
    assert prepare_submission_drafts_task("2026-11-25") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_district_submits_its_annex_1_and_the_city_sees_it(city, annex1_drafts, live_server, browser, shots):
    page = _login(browser, live_server, "haishu")
    page.click("aside.side a:text-is('报送')")
    page.wait_for_load_state()
    assert "待报送" in page.inner_text("table.submissions")
    page.locator("form:has(button:has-text('报送至市住建局')) input[name=confirm]").check()
    page.click("text=报送至市住建局")
    page.wait_for_load_state()
    assert "已报送至市住建局" in page.inner_text(".messages")

    page = _login(browser, live_server, "city")
    page.click("aside.side a:text-is('报送')")
    page.wait_for_load_state()
    rows = page.inner_text("table.submissions")
    assert "海曙区" in rows and "按时报送" in rows and "江北区" in rows and "待报送" in rows
    page.screenshot(path=shots / "submissions.png", full_page=True)
    with page.expect_download() as download:
        page.click("tr.on_time a")
    assert download.value.suggested_filename.startswith("附件1_")
    connections.close_all()  # see the browser fixture


@pytest.fixture
def zhejiang(city):
    """Ningbo and Hangzhou under Zhejiang, and an open alert in Hangzhou (written before the browser
    starts: the ORM is not used from Playwright's context)."""
    import datetime as dt

    from tests.factories import province_of
    from tests.reports.scenario import _alert

    _, _, project = province_of(city)
    _alert(project, "R01", dt.date(2026, 11, 3), dt.date(2026, 11, 20))
    _alert(city.project, "R01", dt.date(2026, 11, 3), dt.date(2026, 11, 20))
    return project


# serialized_rollback: the policies and code tables that migrations wrote survive the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_provincial_regulator_reads_its_cities_and_downloads_the_province_annex1(
    city, zhejiang, live_server, browser, shots, tmp_path
):
    page = _login(browser, live_server, "province")
    body = page.inner_text("body")
    assert "浙江省 · 全省概览" in body and "宁波市" in body and "杭州市" in body
    page.screenshot(path=shots / "province.png", full_page=True)
    page.click("table.grid >> text=杭州市")
    page.wait_for_load_state()
    assert page.url.endswith("/cities/330100/") and "西湖区" in page.inner_text("body")
    page.click("table.grid >> text=西湖区")
    page.wait_for_load_state()
    assert zhejiang.name in page.inner_text("body")
    page.goto(f"{live_server.url}/reports/")
    annex1 = page.locator("form[action='/reports/annex1.xlsx']")
    annex1.locator("select[name=city]").select_option("")
    annex1.locator("input[name=from]").fill("2026-11-01")
    annex1.locator("input[name=to]").fill("2026-11-30")
    with page.expect_download() as download:
        annex1.locator("button[type=submit]").click()
    saved = tmp_path / "province.xlsx"
    download.value.save_as(saved)
    workbook = load_workbook(io.BytesIO(saved.read_bytes()))
    assert workbook.sheetnames[:3] == ["杭州市", "宁波市", "全省合计"]
    assert workbook["全省合计"]["A3"].value == "填报单位：浙江省住房和城乡建设厅"
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_city_hands_a_firm_a_one_time_link_and_the_holder_sets_its_password(city, live_server, browser, shots):
    """Issue 23 in the pages: the city regulator manages the accounts of its own city's firms in the admin
    (never Hangzhou's, never a password or a permission); the holder sets the password through the link."""
    from django.contrib.auth.models import Permission

    from tests.factories import province_of

    province_of(city)  # Ningbo beside Hangzhou: the city regulator is Ningbo's
    contractor = city.users["contractor"]
    page = _login(browser, live_server, "city")
    page.click("text=后台管理")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/admin/projects/user/")
    listed = page.inner_text("#result_list")
    assert "contractor" in listed and "haishu" in listed and "hangzhou" not in listed
    page.goto(f"{live_server.url}/admin/projects/user/{contractor.pk}/change/")
    form = page.content()
    assert (
        'name="is_superuser"' not in form
        and 'name="user_permissions"' not in form
        and "密码" not in page.inner_text("form")
    )
    page.screenshot(path=shots / "admin-account.png", full_page=True)
    page.goto(f"{live_server.url}/admin/projects/user/")
    page.check(f"input[name=_selected_action][value='{contractor.pk}']")
    page.select_option("select[name=action]", "password_links")
    page.click("button[name=index]")
    page.wait_for_load_state()
    message = page.inner_text("ul.messagelist")
    assert "一次性设置密码链接" in message
    link = next(word for word in message.split() if "/password/set/" in word).split("：")[-1]

    holder = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    holder.goto(link)
    holder.fill("input[name=new_password1]", "Holder-Sets-2026!")
    holder.fill("input[name=new_password2]", "Holder-Sets-2026!")
    holder.click("input[type=submit], button[type=submit]")
    holder.wait_for_load_state()
    assert "/password/set/done/" in holder.url
    holder.goto(f"{live_server.url}/login/")
    holder.fill("input[name=username]", "contractor")
    holder.fill("input[name=password]", "Holder-Sets-2026!")
    holder.click("button[type=submit]")
    holder.wait_for_load_state()
    # Signed in, at its 待办 (on a phone the account's name sits in the folded menu).
    assert holder.url.endswith("/todo/") and "contractor" in holder.locator("header a.who").text_content()
    holder.goto(f"{live_server.url}/projects/")
    assert city.project.name in holder.inner_text("body")
    contractor.refresh_from_db()
    assert (
        not contractor.is_superuser
        and not contractor.user_permissions.filter(pk__in=Permission.objects.values("pk")).exists()
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_the_header_folds_and_the_lists_read_as_cards(city, site, live_server, browser, shots):
    """390×844: the header is the brand and a menu button, not a quarter of the screen; the triage and the
    roster are cards whose values keep their column's name, never one character a line."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "haishu")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("header.top").bounding_box()["height"] < 844 * 0.12
    assert not page.locator("aside.side nav").is_visible()
    page.click("label.menu-button")
    assert page.locator("aside.side nav a:has-text('待办')").is_visible()

    for url, table in (
        ("/alerts/?live=1&group=0", "table.grid"),
        (f"/projects/{city.project.permit_no}/", "table.grid:has(thead th:has-text('进场日期'))"),
    ):
        page.goto(f"{live_server.url}{url}")
        row = page.locator(f"{table} tbody tr").first
        cells = row.locator("td[data-label]")
        assert cells.count() >= 3, url
        for i in range(cells.count()):
            box = cells.nth(i).bounding_box()
            assert box is None or box["width"] > 300, (url, i, box)  # a card's full width, not a squeezed column
        page.screenshot(path=shots / f"phone-{url.strip('/').split('/')[0]}.png", full_page=False)
    assert page.locator("td[data-label='身份证号']").first.is_visible()  # the roster's values under their names
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_city_opens_a_list_from_the_left_menu_narrows_it_by_district_sorts_and_exports(
    city, site, live_server, browser, shots
):
    """The lists as the platforms do them: the left menu, the cascading region filter, 共N条 with 序号,
    a sort on a column, a page size, and 导出Excel of the rows shown."""
    from tests.factories import ProjectFactory

    for n in range(3):
        ProjectFactory(permit_no=f"33020520261200{n:04d}", name=f"江北列表项目{n}", district=city.jiangbei)
    page = _login(browser, live_server, "city")
    page.click("aside.side nav a:has-text('项目')")
    page.wait_for_load_state()
    assert "/projects/" in page.url and "共5条" in page.inner_text(".toolbar")
    # The district select narrows to the city's districts and keeps each one's city (the cascade).
    district = page.locator("form.filters select[name=district]")
    assert sorted(district.locator("option").all_inner_texts()) == sorted(["全部", "海曙区", "江北区"])
    district.select_option(label="江北区")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "共4条" in page.inner_text(".toolbar")
    assert page.locator("table.list tbody tr td.num").all_inner_texts() == ["1", "2", "3", "4"]
    page.locator("table.list thead a.sort").nth(1).click()  # 项目 (区县 is the first sortable column)
    page.wait_for_load_state()
    names = page.locator("table.list tbody tr td:nth-child(3)").all_inner_texts()
    assert names == sorted(names) and "▲" in page.inner_text("table.list thead")
    page.screenshot(path=shots / "list-projects.png", full_page=True)
    with page.expect_download() as download:
        page.click("a.export")
    content = Path(download.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=3, values_only=True))
    assert [row[2] for row in rows if row[0]] == names  # the workbook holds the rows the page shows, in order
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stop_of_attendance_is_approved_in_the_pages_only_on_its_report(city, live_server, browser, shots, tmp_path):
    """中山 2019 上线通知 三(十二)1(1): the stop is filed with the scan of the 安全生产标准化评定报告. Filed with a
    form scan only, the district's approval is refused with the document's name; filed with the report, it
    goes through both levels and the project reads 停止考勤."""
    import datetime as dt

    scan = tmp_path / "停止考勤申请表.pdf"
    scan.write_bytes(b"%PDF-1.4 stamped form")
    report = tmp_path / "安全生产标准化评定报告.pdf"
    report.write_bytes(b"%PDF-1.4 evaluation report")
    project_url = f"{live_server.url}/projects/{city.project.permit_no}/"

    def file(document, kind):
        page = _login(browser, live_server, "contractor")
        page.goto(project_url)
        form = page.locator("form.file-request")
        form.locator("select[name=kind]").select_option("stop_attendance")
        form.locator("input[name=reason]").fill("已取得安全生产标准化评定报告，申请停止考勤")
        form.locator("input[name=effective_from]").fill(dt.date.today().isoformat())
        form.locator("input[name=attachment]").set_input_files(str(document))
        form.locator("select[name=attachment_kind]").select_option(kind)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "申请已提交，待区县审核" in page.inner_text("body")

    def decide(who, request_row):
        page = _login(browser, live_server, who)
        page.goto(project_url)
        form = page.locator(f"#{request_row} + tr form.decide")
        form.locator("input[name=confirm]").check()
        form.locator("button[value=approve]").click()
        page.wait_for_load_state()
        return page

    file(scan, "form_scan")
    from projects.models import StatusRequest

    first = StatusRequest.objects.get(kind="stop_attendance")
    page = decide("haishu", f"request-{first.pk}")
    assert "须凭其文件审批：请先上传安全生产标准化评定报告扫描件" in page.inner_text(".messages")
    assert "待区县审批" in page.locator(f"#request-{first.pk}").inner_text()
    page.screenshot(path=shots / "stop-refused-without-report.png", full_page=True)

    StatusRequest.objects.filter(pk=first.pk).update(state="withdrawn")
    file(report, "report")
    second = StatusRequest.objects.get(kind="stop_attendance", state="pending_district")
    decide("haishu", f"request-{second.pk}")
    page = decide("city", f"request-{second.pk}")
    assert "已批准" in page.locator(f"#request-{second.pk}").inner_text()
    assert "停止考勤" in page.locator("h1").inner_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_city_reads_its_policy_from_the_left_menu(city, live_server, browser, shots):
    """考核口径 in the workbench: under the Zhongshan preset, each value beside the preset's with its clause."""
    from inspections.models import Policy

    Policy.objects.filter(district__isnull=True, in_force=True).update(in_force=False)
    Policy.objects.filter(preset="zhongshan_2019").update(in_force=True)
    page = _login(browser, live_server, "city")
    page.click("aside.side a:text-is('考核口径')")
    page.wait_for_load_state()
    assert page.url.endswith("/policies/")
    row = page.locator("tr:has(th:text-is('两次停止考勤：项目经理凭工程现场施工质量监督任务完成告知书停止考勤'))")
    assert "是" in row.inner_text() and "三(十二)" in row.inner_text()
    page.screenshot(path=shots / "policies.png", full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_city_previews_a_change_of_its_policy_and_saves_it(city, gate, live_server, browser, shots):
    """The city lowers R12 to three silent days: the preview judges last month under the draft, with a
    progress bar, and shows the alert that would appear; saved with a reason, the change is a version."""
    import datetime as dt

    from django.utils import timezone

    from inspections.models import PolicyVersion
    from tests.inspections.test_policy_versions import month_with_a_silence

    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month_with_a_silence(city, gate, last_month)
    page = _login(browser, live_server, "city")
    page.click("aside.side a:text-is('考核口径')")
    page.click("a:text-is('修改考核口径')")
    page.wait_for_load_state()
    page.fill("input[name=r12_silent_days]", "3")
    page.click("#preview-button")
    page.wait_for_selector("#preview h2", timeout=60_000)
    haishu = page.locator("#preview h3:text-is('海曙区') ~ table.alert-changes").first
    changes = haishu.inner_text()
    assert "将新增" in changes and "R12" in changes and "海曙中心小学迁建工程" in changes
    assert not PolicyVersion.objects.exists()  # a preview writes nothing
    page.screenshot(path=shots / "policy-preview.png", full_page=True)
    page.fill("textarea[name=reason]", "专项行动期间从严：连续3天无考勤即预警")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.url.endswith("/policies/")
    assert "已修改" in page.locator("ul.messages").inner_text()
    assert "专项行动期间从严" in page.locator("table.policy-history").first.inner_text()
    version = PolicyVersion.objects.exclude(effective_from=None).get()
    assert version.values["r12_silent_days"] == 3 and version.effective_from == timezone.localdate()
    assert version.effective_from.replace(day=1) > last_month  # in force from today, not over the month judged
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wages_from_the_subcontractors_workbook_to_the_districts_arrears_and_ledger(
    city, live_server, browser, shots, tmp_path
):
    """The subcontractor imports October from the published template on the project's wage tab; the general
    contractor confirms it and uploads the bank's file (one yuan short for one worker); after the pay day
    the district finds the project in its arrears overview and downloads the wage ledger."""
    import datetime as dt

    from openpyxl import load_workbook as load

    from attendance.models import DailyPresence
    from inspections.engine import rules_run
    from tests.factories import engage, id_number, person

    numbers = {id_number("330203", "19900101", 61): "陈大勇", id_number("330203", "19900202", 62): "李小军"}
    cards = dict(zip(numbers, ("6222021234567890128", "6217000010001234567"), strict=True))
    for number, name in numbers.items():
        worker = engage(city.project, city.subcontractor, who=person(number, name), entered_on=dt.date(2026, 9, 1))
        for day in (12, 13, 14):
            at = dt.datetime(2026, 10, day, 0, 30, tzinfo=dt.UTC)
            DailyPresence.objects.create(
                person=worker.person,
                project=city.project,
                day=dt.date(2026, 10, day),
                first_at=at,
                last_at=at,
                punch_count=1,
                valid_count=1,
                first_valid_at=at,
                last_valid_at=at,
            )

    page = _login(browser, live_server, "subcontractor")
    page.goto(f"{live_server.url}/projects/{city.project.permit_no}/")
    page.click("a:has-text('工资')")
    page.wait_for_load_state()
    with page.expect_download() as template:
        page.click("a:has-text('工资支付表模板')")
    template.value.save_as(tmp_path / "模板.xlsx")
    book = load(tmp_path / "模板.xlsx")
    for row, number in enumerate(numbers, start=2):
        values = [number, numbers[number], 900, 900, dt.datetime(2026, 11, 10), cards[number], "是"]
        for column, value in enumerate(values, start=1):
            book.active.cell(row, column, value)
    filled = tmp_path / "十月工资.xlsx"
    book.save(filled)
    form = page.locator("form.wage-upload")
    form.locator("input[name=month]").fill("2026-10")
    form.locator("input[name=file]").set_input_files(str(filled))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    body = page.inner_text("body")
    assert "2026-10 的工资支付表已导入" in body and "已编制，待总包确认" in body
    assert "6222 **** **** 0128" in body and cards[next(iter(numbers))] not in page.content()
    page.screenshot(path=shots / "wages-imported.png", full_page=True)

    page = _login(browser, live_server, "contractor")
    page.goto(f"{live_server.url}/projects/{city.project.permit_no}/wages/?month=2026-10")
    page.click("button:has-text('确认此工资支付表')")
    page.wait_for_load_state()
    assert "工资支付表已确认" in page.inner_text("body")
    result = tmp_path / "代发结果.csv"
    first, second = numbers
    result.write_bytes(
        f"账号,户名,金额,状态,日期\n{cards[first]},陈大勇,900,成功,2026-11-10\n{cards[second]},李小军,899,成功,2026-11-10\n".encode(
            "gbk"
        )
    )
    page.locator("form.bank-results input[name=file]").set_input_files(str(result))
    page.click("button:has-text('导入银行代发结果')")
    page.wait_for_load_state()
    assert "已登记 2 行的银行代发结果" in page.inner_text("body")
    page.screenshot(path=shots / "wages-bank.png", full_page=True)

    rules_run(day=dt.date(2026, 12, 1))  # the night after October's pay day
    page = _login(browser, live_server, "haishu")
    page.click("nav a:has-text('欠薪预警')")
    page.wait_for_load_state()
    row = page.locator("table.grid tbody tr").first
    assert city.project.name in row.inner_text() and "1.00" in row.inner_text()
    page.screenshot(path=shots / "arrears.png", full_page=True)
    row.locator("a").click()
    page.wait_for_load_state()
    assert "W3 欠薪预警" in page.inner_text("body")
    with page.expect_download() as ledger:
        page.click("a:has-text('下载工资台账')")
    ledger.value.save_as(tmp_path / "工资台账.xlsx")
    sheet = load(tmp_path / "工资台账.xlsx").active
    assert [sheet.cell(r, 5).value for r in (4, 5)] == ["李小军", "陈大勇"]
    assert sheet.cell(4, 9).value == 899


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_contractor_puts_up_the_rights_board_a_worker_reads_it_on_a_phone_and_the_district_revokes_it(
    city, live_server, browser, shots, tmp_path
):
    """The general contractor opens 维权告示牌 from its project page, gives its labour clerk's phone and
    downloads the printable board; a worker scans the QR code (opens its address) on a phone, without a
    login, reads whom to call and, from the board, the city's published random draws (一公开); the
    district revokes the address, and the old one no longer opens."""
    from zoneinfo import ZoneInfo

    from openpyxl import load_workbook as load

    from inspections.services.campaigns import random_draw_make

    SHANGHAI = ZoneInfo("Asia/Shanghai")
    draw = random_draw_make(user=city.users["haishu"], district=city.haishu, size=1, seed="公开抽查")
    page = _login(browser, live_server, "contractor")
    page.goto(f"{live_server.url}/projects/{city.project.permit_no}/")
    page.click("a:has-text('维权告示牌')")
    page.wait_for_load_state()
    assert page.locator("figure.qr svg").is_visible()
    page.fill("input[name=contact_phone]", "0574-87001234")
    page.click("button:has-text('保存')")
    page.wait_for_load_state()
    assert "告示牌联系电话已保存" in page.inner_text("body")
    with page.expect_download() as board:
        page.click("a:has-text('下载可打印的告示牌')")
    board.value.save_as(tmp_path / "维权告示牌.xlsx")
    cells = " ".join(
        str(c.value) for row in load(tmp_path / "维权告示牌.xlsx").active.iter_rows() for c in row if c.value
    )
    address = page.locator("figure.qr code").inner_text()
    assert "0574-87001234" in cells and address in cells
    page.screenshot(path=shots / "board-contractor.png", full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # no login
    phone.goto(address)
    body = phone.inner_text("body")
    assert "建筑工人维权告示牌" in body and city.project.name in body and "0574-87001234" in body
    assert "12345" in body and "您的权利" in body
    assert phone.locator("a[href='tel:0574-87001234']").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=shots / "board-phone.png", full_page=True)
    # From the board, the city's published random draws (一公开), and one draw's result.
    phone.click("a:has-text('双随机')")
    phone.wait_for_load_state()
    phone.click(f"a:has-text('{draw.drawn_at.astimezone(SHANGHAI):%Y年%-m月%-d日}')")
    phone.wait_for_load_state()
    body = phone.inner_text("body")
    assert "结果一致" in body and draw.seed in body and draw.district.name in body
    phone.screenshot(path=shots / "draw-phone.png", full_page=True)

    page = _login(browser, live_server, "haishu")
    page.goto(f"{live_server.url}/projects/{city.project.permit_no}/board/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('作废地址并生成新地址')")
    page.wait_for_load_state()
    assert "原地址已作废" in page.inner_text("body")
    assert page.locator("figure.qr code").inner_text() != address
    assert phone.goto(address).status == 404
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_reads_his_days_on_a_phone_files_a_complaint_and_follows_the_districts_answer(
    city, gate, live_server, browser, shots, tmp_path, caplog
):
    """From the rights board on his phone, a worker signs in with his ID number, name and the code the console
    SMS backend printed; he sees his month's valid day and the punch the gate refused with its reason; he files
    a complaint with a photo; the district's staff find it at the head of their triage, answer it and close it;
    with his tracking code the worker reads the answer."""
    import datetime as dt
    import re
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    from PIL import Image

    from rights.services import board_issue
    from tests.rights.conftest import WORKER_ID, WORKER_NAME, WORKER_PHONE, register

    shanghai = ZoneInfo("Asia/Shanghai")
    register(city, WORKER_ID, WORKER_NAME, WORKER_PHONE, employer=city.subcontractor)
    # Punches of today that are already past (the gate refuses more than 5 minutes ahead): a fixed hour of the
    # day failed whenever the suite ran before it, Shanghai time.
    now = timezone.localtime(timezone=shanghai)
    today = now.date()
    first = max(now - dt.timedelta(minutes=6), dt.datetime.combine(today, dt.time(0, 0), tzinfo=shanghai))
    refused_at = first + dt.timedelta(minutes=5)
    gate.heartbeat()
    punches = [
        {
            "record_id": f"B-{n}",
            "id_number": WORKER_ID,
            "method": "face",
            "direction": "in",
            "liveness": live,
            "match_score": 0.95,
            "punched_at": (first + dt.timedelta(minutes=n)).isoformat(),
        }
        for n, live in ((0, True), (5, False))
    ]
    assert gate.punches(punches).status_code == 200
    board = board_issue(user=city.users["contractor"], project=city.project)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(f"{live_server.url}/board/{board.token}/")
    phone.click("a:has-text('查询本人考勤与工资')")
    phone.fill("input[name=id_number]", WORKER_ID)
    phone.fill("input[name=name]", WORKER_NAME)
    with caplog.at_level("WARNING", logger="smz.sms"):
        phone.click("button:has-text('获取验证码')")
        phone.wait_for_load_state()
    assert "验证码已发送至登记的手机号" in phone.inner_text("body")
    code = re.search(rf"短信 to {WORKER_PHONE}: .*?验证码为(\d{{6}})", caplog.text).group(1)
    phone.fill("input[name=code]", code)
    phone.click("button:has-text('查询')")
    phone.wait_for_load_state()
    assert WORKER_NAME in phone.inner_text("body") and city.project.name in phone.inner_text("body")
    phone.click("a:has-text('查看考勤与工资')")
    phone.wait_for_load_state()
    body = phone.inner_text("body")
    assert f"{today.year}年{today.month}月有效出勤" in body and "1 天" in body
    assert f"{today.month}月{today.day}日 {refused_at:%H:%M}" in body and "设备活体检测未通过" in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=shots / "worker-records-phone.png", full_page=True)

    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (64, 48), (180, 40, 40)).save(photo, "JPEG")
    phone.goto(f"{live_server.url}/board/{board.token}/")
    phone.click("a:has-text('我要投诉')")
    phone.select_option("select[name=kind]", "wages")
    phone.select_option("select[name=enterprise]", label=city.subcontractor.name)
    phone.fill("textarea[name=text]", "班组十月、十一月工资一直没发")
    phone.set_input_files("input[name=photos]", str(photo))
    phone.click("button:has-text('提交投诉')")
    phone.wait_for_load_state()
    tracking = phone.locator("p.code").inner_text()
    assert "投诉已提交" in phone.inner_text("body") and re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", tracking)
    phone.screenshot(path=shots / "complaint-filed-phone.png", full_page=True)

    page = _login(browser, live_server, "haishu")
    page.click("a:has-text('预警处置')")
    page.wait_for_load_state()
    assert "待处理的举报投诉" in page.inner_text("body")
    page.click("section.complaints td a")
    page.wait_for_load_state()
    assert "班组十月、十一月工资一直没发" in page.inner_text("body") and "匿名" in page.inner_text("body")
    assert page.locator("a:has-text('照片 1')").is_visible()
    page.fill("textarea[name=text]", "已约谈宁波甬城劳务有限公司，责令三日内补发。")
    page.click("button:has-text('发送答复')")
    page.wait_for_load_state()
    page.check("input[name=upheld][value='1']")
    page.fill("textarea[name=reason]", "经核查属实，工资已补发到位。")
    page.click("button:has-text('办结')")
    page.wait_for_load_state()
    assert "该投诉已办结" in page.inner_text("body")
    page.screenshot(path=shots / "complaint-district.png", full_page=True)

    phone.goto(f"{live_server.url}/complaints/track/")
    phone.fill("input[name=code]", tracking)
    phone.click("button:has-text('查询')")
    phone.wait_for_load_state()
    body = phone.inner_text("body")
    assert "已约谈宁波甬城劳务有限公司" in body and "已办结" in body and "工资已补发到位" in body
    phone.screenshot(path=shots / "complaint-tracked-phone.png", full_page=True)
    connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_city_configures_a_receiver_watches_a_project_go_up_and_resends_what_was_refused(
    city, live_server, browser, shots
):
    from django.core.management import call_command

    from tests.factories import engage, id_number, person
    from upward.simulator import Receiver as Simulated
    from upward.simulator import serve_in_thread

    appid, secret = "33112220190310002", "24484b262dd63dd584902a266bdbdca0"
    province = Simulated(credentials={appid: secret})
    server = serve_in_thread(province)
    engage(city.project, city.subcontractor, who=person(id_number(seq=130), "吴钢筋"), team="钢筋班", trade="020")
    try:
        page = _login(browser, live_server, "city")
        # The receiver, in the admin; the secret mistyped.
        page.goto(f"{live_server.url}/admin/upward/receiver/add/")
        page.select_option("select[name=region]", label="宁波市 (330200)")
        page.fill("input[name=name]", "浙江省建筑工人管理服务信息平台")
        page.select_option("select[name=level]", label="省级平台")
        page.fill("input[name=url]", server.url)
        page.fill("input[name=appid]", appid)
        page.fill("input[name=secret]", "0" * 32)
        page.click("input[name=_save]")
        page.wait_for_load_state()
        assert "浙江省建筑工人管理服务信息平台" in page.inner_text("body")
        # The project's records written and sent (the beat's round, run here by hand): refused, in the receiver's words.
        page.goto(f"{live_server.url}/")
        page.click("nav a:has-text('数据上报')")
        page.wait_for_load_state()
        page.fill("input[name=project]", city.project.permit_no)
        page.click("button:has-text('查询')")
        page.wait_for_load_state()
        page.click("button:has-text('重发本项目全部未接收记录')")
        page.wait_for_load_state()
        assert "已重新写入待上报记录" in page.inner_text("body")
        call_command("upward_send", stdout=io.StringIO())
        page.reload()
        body = page.inner_text("section.receiver")
        assert "-2 签名验证失败" in body and "等待前序记录被接收平台接收" not in body
        page.screenshot(path=shots / "upward-refused.png", full_page=True)
        # The secret put right in the admin, the project resent: everything goes up.
        page.goto(f"{live_server.url}/admin/upward/receiver/")
        page.click("a:has-text('浙江省建筑工人管理服务信息平台')")
        page.fill("input[name=secret]", secret)
        page.click("input[name=_save]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/upward/?project={city.project.permit_no}")
        page.click("button:has-text('重发本项目全部未接收记录')")
        page.wait_for_load_state()
        call_command("upward_send", stdout=io.StringIO())
        page.reload()
        body = page.inner_text("section.receiver")
        assert "没有被退回的记录" in body and "-2 签名验证失败" not in body
        assert [number for (_code, number) in province.store.workers] == [id_number(seq=130)]
        page.screenshot(path=shots / "upward-accepted.png", full_page=True)
    finally:
        server.shutdown()
        server.server_close()
        connections.close_all()  # see the browser fixture


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_district_staff_acknowledge_a_grouped_row_of_a_projects_managers(city, live_server, browser, shots):
    """预警处置 opens grouped: R11's three managers of one project and month stand on one row, ticked and
    acknowledged at once; the other district's row is not on the page."""
    from tests.dashboard.test_triage import alert

    managers = [
        alert(city.project, "R11", name) for name in ("王建国（项目经理）", "李卫（技术负责人）", "张强（安全员）")
    ]
    alert(city.other_project, "R11", "赵江（项目经理）")
    page = _login(browser, live_server, "haishu")
    page.click("a:has-text('预警处置')")
    page.wait_for_load_state()
    row = page.locator("table.triage tbody tr", has_text="王建国（项目经理）")
    assert row.count() == 1 and "李卫（技术负责人）" in row.inner_text() and "张强（安全员）" in row.inner_text()
    assert "赵江" not in page.inner_text("body")
    page.screenshot(path=shots / "alerts-grouped.png", full_page=True)
    row.locator("input[name=alert]").check()
    page.click("button[value=acknowledge]")
    page.wait_for_load_state()
    assert "已更新" in page.inner_text(".messages")
    assert {a.state for a in Alert.objects.filter(pk__in=[a.pk for a in managers])} == {"acknowledged"}
