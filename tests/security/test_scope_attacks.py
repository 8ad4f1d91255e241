"""The attacks issue 23 found getting through, each tried as the account holder would (a browser or curl,
through the pages, the admin and the API) on a platform holding a province of two cities and a second
province, and each refused: nothing written, nothing of another jurisdiction read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from inspections.services.cases import case_open
from inspections.services.measures import MeasureIn, measure_issue
from projects.models import Project, Region, StatusRequest, StatusRequestAttachment, User
from projects.services.accounts import token_issue
from projects.services.status import status_request_attachment_add, status_request_submit
from tests.factories import engage, id_number, november_campaign, person, province_of

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def zhejiang(city):
    """Ningbo (with its province's regulator) beside Hangzhou, whose regulator is the attacker."""
    province_of(city)
    return city


def signs_in(username: str, password: str) -> bool:
    client = Client()
    client.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def pages(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
    return client


def test_a_city_regulator_cannot_make_itself_superuser_or_hand_out_permissions(zhejiang):
    city_user = zhejiang.users["city"]
    admin = pages(city_user)
    form = admin.get(f"/admin/projects/user/{city_user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in form and 'name="user_permissions"' not in form
    reveal = Permission.objects.get(codename="view_full_id_number")
    admin.post(
        f"/admin/projects/user/{city_user.pk}/change/",
        {
            "first_name": "市局",
            "last_name": "",
            "email": "",
            "phone": "",
            "language": "zh-hans",
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": [reveal.pk],
        },
    )
    admin.post(
        f"/admin/projects/user/{zhejiang.users['haishu'].pk}/change/",
        {
            "first_name": "",
            "last_name": "",
            "email": "",
            "phone": "",
            "language": "zh-hans",
            "role": "district",
            "district": zhejiang.haishu.pk,
            "user_permissions": [reveal.pk],
        },
    )
    city_user.refresh_from_db()
    assert not city_user.is_superuser and not city_user.user_permissions.exists()
    assert not zhejiang.users["haishu"].user_permissions.exists()
    assert admin.get("/admin/auth/group/").status_code == 403


def test_another_citys_regulator_cannot_set_a_firms_password_or_sign_in_as_it(zhejiang):
    contractor = zhejiang.users["contractor"]
    attacker = pages(zhejiang.users["hangzhou"])
    assert contractor.username not in attacker.get("/admin/projects/user/").content.decode()
    taken = attacker.post(
        f"/admin/projects/user/{contractor.pk}/password/",
        {"password1": "Taken-Over-2026!", "password2": "Taken-Over-2026!"},
    )
    assert taken.status_code == 403
    attacker.post("/admin/projects/user/", {"action": "password_links", "_selected_action": [contractor.pk]})
    assert not signs_in(contractor.username, "Taken-Over-2026!")
    contractor.refresh_from_db()
    assert contractor.check_password("a-long-test-password")


def test_a_regulator_hands_a_one_time_link_and_the_holder_sets_the_password(zhejiang):
    contractor = zhejiang.users["contractor"]
    answer = pages(zhejiang.users["city"]).post(
        "/admin/projects/user/", {"action": "password_links", "_selected_action": [contractor.pk]}, follow=True
    )
    link = next(
        re.search(r"https?://\S+/password/set/\S+/", m.message).group(0)
        for m in answer.context["messages"]
        if "/password/set/" in m.message
    )
    holder = Client()
    form = holder.get(link, follow=True)  # Django swaps the token for a session key, then shows the form
    assert form.status_code == 200
    done = holder.post(
        form.redirect_chain[-1][0], {"new_password1": "Holder-Sets-2026!", "new_password2": "Holder-Sets-2026!"}
    )
    assert done.status_code == 302
    assert signs_in(contractor.username, "Holder-Sets-2026!")
    assert Client().get(link, follow=True).context.get("validlink") is False  # once only


def test_another_citys_regulator_cannot_add_or_move_a_district_under_our_city(zhejiang):
    attacker = api(zhejiang.users["hangzhou"])
    answer = attacker.post("/api/v1/regions/", {"code": "330299", "name": "假区", "parent": "330200"}, format="json")
    assert answer.status_code == 403 and not Region.objects.filter(code="330299").exists()
    own = api(zhejiang.users["city"]).post(
        "/api/v1/regions/", {"code": "330212", "name": "鄞州区", "parent": "330200"}, format="json"
    )
    assert own.status_code == 201
    moved = pages(zhejiang.users["hangzhou"]).post(
        f"/admin/projects/region/{zhejiang.haishu.pk}/change/",
        {"code": "330203", "name": "海曙区", "level": "district", "parent": Region.objects.get(code="330100").pk},
    )
    assert moved.status_code in (302, 403)
    assert Region.objects.get(pk=zhejiang.haishu.pk).parent_id == zhejiang.city.pk
    assert api(zhejiang.users["hangzhou"]).get("/api/v1/projects/330203202609010101/").status_code == 404


def _project_body(district: str, contractor_uscc: str) -> dict:
    return {
        "permit_no": "330203202612010001",
        "name": "海曙新建工程",
        "district": district,
        "kind": "building",
        "building_area_m2": "12000",
        "contract_cost_yuan": "50000000",
        "planned_start": "2026-12-01",
        "participants": [{"uscc": contractor_uscc, "role": "contractor"}],
        "required_positions": ["project_manager"],
    }


def test_another_city_and_the_province_register_no_project_in_our_district(zhejiang):
    before = Project.objects.count()
    for who in ("hangzhou", "province"):
        body = _project_body("330203", zhejiang.contractor.uscc)
        answer = api(zhejiang.users[who]).post("/api/v1/projects/", body, format="json")
        assert answer.status_code == 403, (who, answer.status_code, answer.content[:200])
    assert Project.objects.count() == before
    made = api(zhejiang.users["city"]).post(
        "/api/v1/projects/", _project_body("330203", zhejiang.contractor.uscc), format="json"
    )
    assert made.status_code == 201, made.content.decode()
    assert made.json()["permit_no"] == "330203202612010001"


def test_a_write_that_fails_after_its_insert_leaves_nothing(zhejiang, monkeypatch):
    """A registration whose read-back fails (a bug, a dropped connection) is a 500 with nothing written."""
    from projects.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("the read-back failed")

    monkeypatch.setattr(views.selectors, "project_list", broken)
    client = api(zhejiang.users["city"])
    client.raise_request_exception = False
    before = Project.objects.count()
    answer = client.post("/api/v1/projects/", _project_body("330203", zhejiang.contractor.uscc), format="json")
    assert answer.status_code == 500, answer.content.decode()
    assert Project.objects.count() == before and not Project.objects.filter(permit_no="330203202612010001").exists()


def test_another_citys_regulator_cannot_download_our_annex_1_by_campaign_number(zhejiang):
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, tzinfo=SH), tick=False):
        campaign = november_campaign(zhejiang)
        attacker = api(zhejiang.users["hangzhou"])
        answer = attacker.get(f"/reports/annex1.xlsx?campaign={campaign.pk}")
        assert answer.status_code == 400 and "campaign" in answer.json()
        assert "spreadsheet" not in answer.get("Content-Type", "")
        named = attacker.get(f"/reports/annex1.xlsx?campaign={campaign.pk}&district=330203")
        assert named.status_code == 403
        own = api(zhejiang.users["city"]).get(f"/reports/annex1.xlsx?campaign={campaign.pk}")
        assert own.status_code == 200 and "spreadsheet" in own["Content-Type"]


def test_a_contractor_cannot_learn_the_name_behind_an_id_number_through_its_own_device(city, gate):
    """The contractor pushes, through its own gate, the number of Jiangbei's project manager (engaged only
    there): the punch is an unregistered person on its project, shown masked, never with his name."""
    number = id_number("330205", "19750301", 31)
    engage(
        city.other_project,
        city.other_contractor,
        person(number, "赵经理"),
        category="manager",
        position="project_manager",
    )
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        probe = {
            "record_id": "PROBE-1",
            "id_number": number,
            "punched_at": "2026-11-25T07:58:00+08:00",
            "direction": "in",
            "method": "face",
            "liveness": False,
            "match_score": 0.93,
        }
        answer = gate.punches([probe])
        assert answer.status_code == 200 and answer.json()["accepted"] == 1
        page = pages(city.users["contractor"]).get(f"/projects/{city.project.permit_no}/").content.decode()
        presence = api(city.users["contractor"]).get(f"/api/v1/projects/{city.project.permit_no}/presence/")
    assert "赵经理" not in page and "赵经理" not in presence.content.decode()
    assert "未登记人员" in page and number[:6] + "********" + number[-4:] in page


def test_a_vendor_reads_only_the_measure_addressed_to_it_and_no_name(city, gate):
    manager = engage(
        city.project,
        city.contractor,
        person(id_number("330203", "19700101", 21), "王建国"),
        category="manager",
        position="project_manager",
    )
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        case = case_open(user=city.users["haishu"], project=city.project, title="项目经理缺勤")
        order = measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(
                kind="rectification",
                issued_on=dt.date(2026, 11, 24),
                deadline=dt.date(2026, 12, 10),
                basis="R11",
                target_person=manager.person,
                note="王建国未到岗",
            ),
        )
        notice = measure_issue(
            user=city.users["haishu"],
            case=case,
            data=MeasureIn(
                kind="circular", issued_on=dt.date(2026, 11, 24), basis="R06", target_enterprise=city.vendor
            ),
        )
        vendor = api(city.users["vendor"])
        listed = vendor.get("/api/v1/measures/").json()
        detail = vendor.get(f"/api/v1/cases/{case.pk}/").json()
        page = pages(city.users["vendor"]).get(f"/cases/{case.pk}/").content.decode()
    assert [m["id"] for m in listed["results"]] == [notice.pk]
    assert [m["id"] for m in detail["measures"]] == [notice.pk] and detail["alerts"] == [] and detail["findings"] == []
    assert vendor.get(f"/api/v1/measures/{order.pk}/").status_code == 404
    assert "王建国" not in str(listed) + str(detail) + page
    # The contractor, to whom the order is addressed, reads it and the manager it names (its own staff).
    own = api(city.users["contractor"]).get(f"/api/v1/measures/{order.pk}/").json()
    assert own["target_person"] == "王建国"


def test_an_upload_over_the_limit_on_a_page_form_is_413_in_chinese_and_writes_nothing(city, settings):
    settings.SMZ_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("表.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        answer = pages(city.users["contractor"]).post(
            f"/projects/{city.project.permit_no}/status-requests/",
            {
                "kind": "suspension",
                "reason": "停工待料",
                "effective_from": "2026-11-26",
                "attachment_kind": "form_scan",
                "attachment": big,
            },
        )
    assert answer.status_code == 413
    body = answer.content.decode()
    assert "文件" in body and "10 MiB" in body and "出错了" not in body
    assert not StatusRequest.objects.exists()


def test_a_stored_file_is_served_as_the_type_its_bytes_are_never_as_uploaded(city):
    polyglot = PDF + b"<html><script>alert(document.cookie)</script></html>"
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        request = status_request_submit(
            user=city.users["contractor"],
            project=city.project,
            kind="suspension",
            reason="停工待料",
            effective_from=dt.date(2026, 11, 26),
        )
        stored = status_request_attachment_add(
            user=city.users["contractor"],
            status_request=request,
            kind="form_scan",
            name="整改报告.html",
            content=polyglot,
        )
        answer = api(city.users["haishu"]).get(f"/api/v1/status-requests/{request.pk}/attachments/{stored.pk}/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["X-Content-Type-Options"] == "nosniff"
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition and ".html" not in disposition
    assert StatusRequestAttachment.objects.get(pk=stored.pk).original_name == "整改报告.html"  # kept as uploaded


def test_the_operators_account_is_made_by_createsuperuser_only(zhejiang):
    """create_account refuses a superuser's powers to anyone; the operator is Django's createsuperuser."""
    made = User.objects.create_superuser("operator", password="Operator-2026!long")
    assert made.is_superuser
    for user in zhejiang.users.values():
        user.refresh_from_db()
        assert not user.is_superuser and not user.user_permissions.exists()


PERMIT = "330203202609010101"  # Haishu's project


@pytest.mark.parametrize(
    ("who", "path", "body", "status"),
    [
        # Another city's permit number is no project of Hangzhou's, answered on the field (400) as an unknown
        # one is, however wrong the rest of the body; a subcontractor reads the project but does not file for it.
        ("hangzhou", "/api/v1/status-requests/", {"project": PERMIT, "kind": "nonsense"}, 400),
        ("hangzhou", "/api/v1/status-requests/", {"project": "330203209912319999", "kind": "nonsense"}, 400),
        ("subcontractor", "/api/v1/status-requests/", {"project": PERMIT, "kind": "nonsense"}, 403),
        # The enforcement API answers a body's project outside the jurisdiction on the field (400), as it
        # answers an unknown permit number (below), before the rest of the body.
        ("hangzhou", "/api/v1/cases/", {"project": PERMIT}, 400),
        ("supervisor", "/api/v1/cases/", {"project": PERMIT}, 403),
        ("hangzhou", "/api/v1/inspections/", {"project": PERMIT, "kind": "site_visit"}, 400),
        ("contractor", "/api/v1/inspections/", {"project": PERMIT, "kind": "site_visit"}, 403),
        ("jiangbei", "/api/v1/draws/", {"district": "330203", "size": "many"}, 403),
        ("province", "/api/v1/draws/", {"size": "many"}, 403),
        ("hangzhou", "/api/v1/regions/", {"parent": "330200", "code": "x"}, 403),
        ("vendor", "/api/v1/enterprises/", {"uscc": "x"}, 403),
        ("province", "/api/v1/campaigns/", {"name": ""}, 403),
        ("subcontractor", f"/api/v1/projects/{PERMIT}/devices/", {"serial": ""}, 403),
        ("hangzhou", f"/api/v1/projects/{PERMIT}/devices/", {"serial": ""}, 404),
    ],
)
def test_who_may_write_is_asked_before_what_is_wrong_with_the_body(zhejiang, who, path, body, status):
    answer = api(zhejiang.users[who]).post(path, body, format="json")
    assert answer.status_code == status, (who, path, answer.status_code, answer.content[:200])
    if status == 400:  # the project named, and nothing about the rest of the body
        assert set(answer.json()) == {"project"}, answer.json()


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/inspections/", "/api/v1/status-requests/"])
def test_another_citys_project_answers_as_an_unknown_one(zhejiang, path):
    attacker = api(zhejiang.users["hangzhou"])
    theirs = attacker.post(path, {"project": PERMIT, "kind": "site_visit"}, format="json")
    unknown = attacker.post(path, {"project": "330203209912319999", "kind": "site_visit"}, format="json")
    assert theirs.status_code == unknown.status_code in (400, 404)
    assert theirs.content.replace(PERMIT.encode(), b"#") == unknown.content.replace(b"330203209912319999", b"#")


def test_a_firm_that_does_not_file_is_refused_before_the_form_is_read(city):
    answer = pages(city.users["subcontractor"]).post(f"/projects/{PERMIT}/status-requests/", {"kind": "nonsense"})
    assert answer.status_code == 403 and not StatusRequest.objects.exists()
