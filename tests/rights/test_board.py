"""The rights board (维权告示牌, seed 004 §二(六)): the general contractor prints it from its project page, with
a QR code of its public address; anyone opens that address without a login and reads the firms, the
labour clerk's phone, the bank (never the account's number), the complaint line and his rights, and no
worker's name or ID; the district revokes the address, which then answers as an unknown one does."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from projects.models import Engagement, Region
from projects.services.people import engagement_exit
from rights.models import RightsBoard
from smz_platform.common.models import AuditEvent
from smz_platform.common.publicpages import public_pages_local_forget
from tests.factories import account, engage, id_number, person
from wages.services import wage_account_open

pytestmark = pytest.mark.django_db

ACCOUNT_NUMBER = "33101985260058123456"
WORKER_ID = id_number("330203", "19880303", 17)


def signed_in(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


@pytest.fixture
def site(city):
    """Haishu's site: a labour clerk, a worker, a wage account."""
    engage(city.project, city.contractor, who=person(name="钱会计"), category="manager", position="labour_clerk")
    engage(city.project, city.subcontractor, who=person(WORKER_ID, "孙小工"))
    wage_account_open(
        user=city.users["contractor"],
        project=city.project,
        bank="中国建设银行宁波海曙支行",
        account_name="海曙中心小学迁建工程农民工工资专用账户",
        number=ACCOUNT_NUMBER,
        opened_on=dt.date(2026, 9, 1),
    )
    return city


def public_address(city, client) -> str:
    page = client.get(f"/projects/{city.project.permit_no}/board/").content.decode()
    board = RightsBoard.objects.get(project=city.project, revoked_at__isnull=True)
    assert f"/board/{board.token}/" in page and "<svg" in page  # the address and its QR code
    return f"/board/{board.token}/"


def test_the_contractor_prints_the_board_and_anyone_reads_it_without_personal_data(site):
    city = site
    contractor = signed_in(city, "contractor")
    project_page = contractor.get(f"/projects/{city.project.permit_no}/").content.decode()
    assert f"/projects/{city.project.permit_no}/board/" in project_page and "维权告示牌" in project_page
    address = public_address(city, contractor)
    answer = contractor.post(f"/projects/{city.project.permit_no}/board/contact/", {"contact_phone": "0574-87001234"})
    assert answer.status_code == 302

    public = Client().get(address)
    text = public.content.decode()
    assert public.status_code == 200 and "no-cache" in public["Cache-Control"]  # a revoked address stops at once
    for shown in (
        city.project.name,
        city.contractor.name,
        "钱会计",
        "0574-87001234",
        "中国建设银行宁波海曙支行",
        "12345",
    ):
        assert shown in text, shown
    for hidden in ("孙小工", WORKER_ID, WORKER_ID[-4:] + "<", ACCOUNT_NUMBER, ACCOUNT_NUMBER[-4:]):
        assert hidden not in text, hidden
    assert f"/public/{city.city.code}/draws/" in text  # the city's published inspection results

    download = contractor.get(f"/projects/{city.project.permit_no}/board.xlsx")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert city.project.name in cells and "0574-87001234" in cells and ACCOUNT_NUMBER not in cells
    assert address in cells and len(sheet._images) == 1  # the QR code, with its address under it
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert AuditEvent.objects.filter(what__contains="维权告示牌").count() == 1


def test_the_districts_complaint_line_is_printed_where_it_has_one(site):
    city = site
    address = public_address(city, signed_in(city, "contractor"))
    assert "12345" in Client().get(address).content.decode()  # no region gave its own line
    Region.objects.filter(pk=city.project.district.parent_id).update(complaint_phone="0574-89180000")
    cache.clear()  # the page's cache time has passed (a change of the registry shows within it)
    public_pages_local_forget()  # and this process\'s own copies, which expire with it
    assert "0574-89180000" in Client().get(address).content.decode()  # the city's, the district having none
    Region.objects.filter(pk=city.project.district_id).update(complaint_phone="0574-87290000")
    cache.clear()
    public_pages_local_forget()  # and this process\'s own copies, which expire with it
    text = Client().get(address).content.decode()
    assert "0574-87290000" in text and "0574-89180000" not in text


def test_what_a_kept_board_shows_changes_on_it_as_soon_as_the_registry_changes(
    site, django_capture_on_commit_callbacks
):
    """A board is kept rendered for an hour (the crowd's phones): a firm's new name, the labour clerk's exit, a new
    clerk and the city's complaint line set in the admin show on the next visit, and on the board's complaint form."""
    city = site
    address = public_address(city, signed_in(city, "contractor"))
    form = address + "complaint/"
    assert "钱会计" in Client().get(address).content.decode()
    Client().get(form)  # both kept now
    with django_capture_on_commit_callbacks(execute=True):
        city.contractor.name = "宁波新名建设有限公司"
        city.contractor.save()
    assert "宁波新名建设有限公司" in Client().get(address).content.decode()
    clerk = Engagement.objects.get(project=city.project, position="labour_clerk")
    with django_capture_on_commit_callbacks(execute=True):
        engagement_exit(
            user=city.users["contractor"], engagement=clerk, exited_on=dt.date.today(), settlement_confirmed=True
        )
    assert "钱会计" not in Client().get(address).content.decode()  # an exit is a conditional update: no save
    with django_capture_on_commit_callbacks(execute=True):
        engage(city.project, city.contractor, who=person(name="李专管"), category="manager", position="labour_clerk")
    assert "李专管" in Client().get(address).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        city.project.name = "海曙中心小学迁建工程（二期）"
        city.project.save()
    assert all("海曙中心小学迁建工程（二期）" in Client().get(page).content.decode() for page in (address, form))
    admin = account("admin-board", is_superuser=True)
    staff = Client()
    staff.force_login(admin)
    region = city.project.district.parent
    with django_capture_on_commit_callbacks(execute=True):
        answer = staff.post(
            f"/admin/projects/region/{region.pk}/change/",
            {"code": region.code, "name": region.name, "level": region.level, "complaint_phone": "0574-89180000"},
        )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert "0574-89180000" in Client().get(address).content.decode()


def test_the_boards_a_change_shows_on_are_looked_up_when_it_commits_not_while_it_runs(
    site, django_capture_on_commit_callbacks
):
    """A registration writes firms and people by the dozen: which boards show them is asked once the writes
    commit (a rolled-back change asks nothing), and the kept board shows the change at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EnterpriseFactory, participate

    city = site
    address = public_address(city, signed_in(city, "contractor"))
    Client().get(address)  # kept rendered now

    def board_reads(queries) -> int:
        return sum('"rights_rightsboard"' in query["sql"] for query in queries)

    with CaptureQueriesContext(connection) as during, django_capture_on_commit_callbacks() as at_commit:
        joining = EnterpriseFactory(name="宁波新进劳务有限公司", is_contractor=False, is_subcontractor=True)
        participate(city.project, joining, "subcontractor")
        city.contractor.name = "宁波新名建设有限公司"
        city.contractor.save()
    assert board_reads(during) == 0
    with CaptureQueriesContext(connection) as committing:
        for callback in at_commit:
            callback()
    assert board_reads(committing) == 2  # the participant's project, the renamed firm's projects
    assert "宁波新名建设有限公司" in Client().get(address).content.decode()


def test_the_district_revokes_the_address_and_the_old_one_answers_as_an_unknown_one(
    site, django_capture_on_commit_callbacks
):
    city = site
    contractor = signed_in(city, "contractor")
    old = public_address(city, contractor)
    assert "0574-87001234" not in Client().get(old).content.decode()  # the page is now kept rendered
    with django_capture_on_commit_callbacks(execute=True):  # the board's own change clears it at once
        contractor.post(f"/projects/{city.project.permit_no}/board/contact/", {"contact_phone": "0574-87001234"})
    assert "0574-87001234" in Client().get(old).content.decode()
    # Neither the contractor nor another district's staff may revoke it.
    assert contractor.post(f"/projects/{city.project.permit_no}/board/revoke/").status_code == 403
    assert signed_in(city, "jiangbei").post(f"/projects/{city.project.permit_no}/board/revoke/").status_code == 404
    assert Client().get(old).status_code == 200
    haishu = signed_in(city, "haishu")
    with django_capture_on_commit_callbacks(execute=True):
        assert haishu.post(f"/projects/{city.project.permit_no}/board/revoke/").status_code == 302
    gone, unknown = Client().get(old), Client().get("/board/" + "0" * 48 + "/")
    assert gone.status_code == unknown.status_code == 404 and gone.content == unknown.content
    new = public_address(city, haishu)
    assert new != old and "0574-87001234" in Client().get(new).content.decode()  # the phone carried over
    assert RightsBoard.objects.filter(project=city.project, revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("phone", ["", "call me", "1" * 40, "<script>", "0574-8700 1234; DROP"])
def test_a_bad_phone_is_refused_with_its_reason_and_the_board_keeps_its_own(site, phone):
    city = site
    contractor = signed_in(city, "contractor")
    public_address(city, contractor)
    answer = contractor.post(
        f"/projects/{city.project.permit_no}/board/contact/", {"contact_phone": phone}, follow=True
    )
    assert answer.status_code == 200 and "联系电话只能包含数字" in answer.content.decode()
    assert RightsBoard.objects.get(project=city.project).contact_phone == ""


@pytest.mark.parametrize("token", ["a" * 65, "..%2F..%2Fetc", "%00", "0" * 48, "A" * 48])
def test_a_malformed_or_guessed_address_is_a_plain_404(city, token):
    assert Client().get(f"/board/{token}/").status_code == 404
