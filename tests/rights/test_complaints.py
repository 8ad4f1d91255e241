"""举报投诉: anyone files one from a rights board or the city's public site, anonymously or named (a named one
proves the phone with a code); it lands with the project's district, which replies, links a case and closes it;
the complainant follows it with his tracking code; left open past the policy's days it is an alert (C1); a
complaint naming a firm counts in the firm's integrity information. And what an abuser tries: a flood, a script
as a photo, a fourth photo, another district's complaint, a guessed tracking code."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from inspections.engine import rules_run
from inspections.models import Alert, AlertState
from rights.models import Complaint, ComplaintPhoto, ComplaintReply, ComplaintState, RightsBoard
from rights.services import board_issue
from rights.services import complaints as complaint_services
from smz_platform.common.models import AuditAction, AuditEvent
from tests.rights.conftest import codes_sent

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def photo(content: bytes, name: str = "现场.jpg") -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture
def board(city) -> RightsBoard:
    return board_issue(user=city.users["contractor"], project=city.project)


def file(client: Client, board: RightsBoard, address: str = "203.0.113.9", **fields):
    body = {"action": "file", "kind": "wages", "text": "老板拖欠我们班组三个月工资", **fields}
    return client.post(f"/board/{board.token}/complaint/", body, REMOTE_ADDR=address)


def tracking_code(page: str) -> str:
    return re.search(r'<p class="code">([A-Z0-9-]+)</p>', page).group(1)


def staff(city, who: str = "haishu") -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def test_an_anonymous_complaint_with_a_photo_is_handled_and_followed_by_its_code(city, board):
    board_page = Client().get(f"/board/{board.token}/").content.decode()
    assert f"/board/{board.token}/complaint/" in board_page and "/worker/" in board_page
    form = Client().get(f"/board/{board.token}/complaint/").content.decode()
    assert city.subcontractor.name in form and city.project.name in form  # the firms it may name
    with time_machine.travel("2026-12-05 10:00 +0800", tick=False):
        filed = file(Client(), board, enterprise=city.subcontractor.pk, photos=[photo(jpeg())])
    page = filed.content.decode()
    assert filed.status_code == 200 and "2026年12月12日前办结" in page
    code = tracking_code(page)
    complaint = Complaint.objects.get()
    assert (complaint.enterprise, complaint.name, complaint.phone_masked) == (city.subcontractor, "", "")
    assert complaint.photos.count() == 1 and complaint.deadline == dt.date(2026, 12, 12)

    district = staff(city)
    triage = district.get("/alerts/").content.decode()
    assert f"/complaints/{complaint.pk}/" in triage and "待处理的举报投诉" in triage
    detail = district.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "老板拖欠我们班组三个月工资" in detail and "匿名" in detail
    shown = district.get(f"/complaints/{complaint.pk}/photos/{complaint.photos.get().pk}")
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == jpeg()
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD_ATTACHMENT, what__startswith="投诉照片").exists()

    district.post(f"/complaints/{complaint.pk}/reply/", {"text": "已约谈劳务公司，要求三日内补发。"})
    followed = Client().post("/complaints/track/", {"code": code.lower().replace("-", " ")})
    assert followed.status_code == 200 and "已约谈劳务公司" in followed.content.decode()
    assert "haishu" not in followed.content.decode()  # who answered is not the complainant's business
    refused = district.post(f"/complaints/{complaint.pk}/close/", {"reason": "已补发"})
    assert refused.status_code == 302 and Complaint.objects.get().state == ComplaintState.REPLIED  # upheld?
    district.post(f"/complaints/{complaint.pk}/close/", {"upheld": "1", "reason": "经核查属实，工资已补发到位。"})
    closed = Client().post("/complaints/track/", {"code": code}).content.decode()
    assert "已办结" in closed and "属实" in closed and "工资已补发到位" in closed
    late = district.post(f"/complaints/{complaint.pk}/reply/", {"text": "再补充一句"})
    assert late.status_code == 302 and ComplaintReply.objects.count() == 1  # a closed complaint takes no more


def test_a_named_complaint_proves_its_phone_with_a_code(city, board, caplog):
    client = Client()
    named = file(client, board, name="张三", phone="13805741111")
    assert named.status_code == 400 and "验证码" in named.content.decode()
    nameless_phone = file(client, board, name="张三")
    assert nameless_phone.status_code == 400 and "手机号" in nameless_phone.content.decode()
    with caplog.at_level("WARNING", logger="smz.sms"):
        caplog.clear()
        asked = client.post(
            f"/board/{board.token}/complaint/",
            {"action": "code", "name": "张三", "phone": "138-0574-1111", "kind": "wages", "text": "拖欠工资"},
        )
    assert asked.status_code == 200 and "验证码已发送" in asked.content.decode()
    assert "拖欠工资" in asked.content.decode()  # the form is kept
    ((phone, code),) = codes_sent(caplog)
    assert phone == "13805741111"
    wrong_phone = file(client, board, name="张三", phone="13805742222", code=code, enterprise=city.contractor.pk)
    assert wrong_phone.status_code == 400 and Complaint.objects.count() == 0
    filed = file(client, board, name="张三", phone="13805741111", code=code, enterprise=city.contractor.pk)
    assert filed.status_code == 200
    complaint = Complaint.objects.get()
    assert (complaint.name, complaint.phone_masked, complaint.reveal_phone()) == ("张三", "138****1111", phone)
    assert "13805741111" not in staff(city).get(f"/complaints/{complaint.pk}/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "bribes"}, "投诉事项"),
        ({"text": "短"}, "至少5个字"),
        ({"text": "很" * 2001}, "2000"),
        ({"enterprise": ""}, "拖欠工资的投诉须选择"),
        ({"enterprise": "999999"}, "本项目的单位"),
        ({"phone": "12345"}, "11位"),
        ({"photos": [photo(b"<html><script>alert(1)</script>", "a.jpg")]}, "JPEG"),
        ({"photos": [photo(b"")]}, "空"),
    ],
)
def test_a_bad_complaint_is_refused_with_the_reason_and_nothing_written(city, board, fields, message):
    answer = file(Client(), board, **{"enterprise": city.contractor.pk, **fields})
    assert answer.status_code == 400 and message in answer.content.decode(), answer.content.decode()[-800:]
    assert Complaint.objects.count() == 0 and ComplaintPhoto.objects.count() == 0


def test_a_fourth_photo_is_refused_and_nothing_is_written(city, board):
    photos = [photo(jpeg(), f"{n}.jpg") for n in range(4)]
    answer = file(Client(), board, enterprise=city.contractor.pk, photos=photos)
    assert answer.status_code == 400 and "最多3张" in answer.content.decode()
    assert Complaint.objects.count() == 0


def test_complaints_are_limited_per_address_and_per_project(city, board, monkeypatch):
    for n in range(5):
        assert file(Client(), board, enterprise=city.contractor.pk).status_code == 200, n
    flood = file(Client(), board, enterprise=city.contractor.pk)
    assert flood.status_code == 429 and "此地址" in flood.content.decode()
    monkeypatch.setattr(complaint_services, "PER_PROJECT_DAILY", 7)
    for n in range(2):
        assert file(Client(), board, address=f"198.51.100.{n}", enterprise=city.contractor.pk).status_code == 200
    campaign = file(Client(), board, address="198.51.100.99", enterprise=city.contractor.pk)
    assert campaign.status_code == 429 and "12345" not in campaign.content.decode()
    assert Complaint.objects.count() == 7


def test_a_revoked_board_takes_no_complaints(city, board):
    from rights.services import board_revoke

    board_revoke(user=city.users["haishu"], project=city.project)
    assert Client().get(f"/board/{board.token}/complaint/").status_code == 404
    assert file(Client(), board, enterprise=city.contractor.pk).status_code == 404
    assert Client().get("/board/../complaint/").status_code == 404


def test_the_public_site_takes_a_complaint_by_permit_number(city):
    published = Client().get(f"/public/{city.city.code}/draws/").content.decode()
    assert f"/public/{city.city.code}/complaint/" in published and "/complaints/track/" in published
    page = Client().get(f"/public/{city.city.code}/complaint/")
    assert page.status_code == 200 and "施工许可证编号" in page.content.decode()
    body = {"action": "file", "kind": "safety", "text": "脚手架没有安全网，很危险"}
    unknown = Client().post(f"/public/{city.city.code}/complaint/", {**body, "permit_no": "nope"})
    assert unknown.status_code == 400 and "未找到" in unknown.content.decode()
    filed = Client().post(f"/public/{city.city.code}/complaint/", {**body, "permit_no": city.project.permit_no})
    assert filed.status_code == 200 and Complaint.objects.get().source == "public"
    assert Client().get("/public/999999/complaint/").status_code == 404


def test_only_the_projects_district_reads_and_handles_its_complaints(city, board):
    file(Client(), board, enterprise=city.contractor.pk)
    complaint = Complaint.objects.get()
    for who in ("jiangbei", "contractor", "subcontractor"):
        client = staff(city, who)
        assert client.get(f"/complaints/{complaint.pk}/").status_code in (403, 404), who
        client.post(f"/complaints/{complaint.pk}/reply/", {"text": "我来答复"})
        client.post(f"/complaints/{complaint.pk}/close/", {"upheld": "0", "reason": "不属实"})
        assert f"/complaints/{complaint.pk}/" not in client.get("/alerts/").content.decode()
    assert Complaint.objects.get().state == ComplaintState.RECEIVED and ComplaintReply.objects.count() == 0
    assert staff(city, "city").get(f"/complaints/{complaint.pk}/").status_code == 200


def test_a_complaint_left_open_past_its_deadline_is_an_alert_until_closed(city, board):
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        file(Client(), board, enterprise=city.contractor.pk)
    complaint = Complaint.objects.get()
    assert complaint.deadline == dt.date(2026, 12, 8)
    with time_machine.travel("2026-12-09 01:00 +0800", tick=False):
        rules_run(day=dt.date(2026, 12, 8))
    assert not Alert.objects.filter(rule="C1").exists()  # on its last day it is not late yet
    with time_machine.travel("2026-12-10 01:00 +0800", tick=False):
        rules_run(day=dt.date(2026, 12, 9))
    alert = Alert.objects.get(rule="C1")
    assert (alert.project, alert.subject_id, alert.state) == (city.project, complaint.pk, AlertState.OPEN)
    with time_machine.travel("2026-12-10 09:00 +0800", tick=False):
        page = staff(city).get(f"/alerts/{alert.pk}/").content.decode()
        assert "举报投诉逾期未办结" in page and "逾期1天仍未办结" in page
        staff(city).post(f"/complaints/{complaint.pk}/close/", {"upheld": "0", "reason": "经核查不属实"})
    with time_machine.travel("2026-12-11 01:00 +0800", tick=False):
        rules_run(day=dt.date(2026, 12, 10))
    assert Alert.objects.get(rule="C1").state == AlertState.RESOLVED


def test_a_complaint_naming_a_firm_counts_in_its_integrity_information(city, board):
    for n in range(3):
        file(Client(), board, address=f"203.0.113.{n}", enterprise=city.subcontractor.pk)
    first, second, _third = Complaint.objects.order_by("id")
    district = staff(city)
    district.post(f"/complaints/{first.pk}/close/", {"upheld": "1", "reason": "属实"})
    district.post(f"/complaints/{second.pk}/close/", {"upheld": "0", "reason": "不属实"})
    page = district.get(f"/firms/{city.subcontractor.uscc}/").content.decode()
    assert re.search(r'id="complaints-total">3<', page) and re.search(r'id="complaints-upheld">1<', page)
    api = APIClient()
    api.force_authenticate(city.users["city"])
    answer = api.get(f"/api/v1/enterprises/{city.subcontractor.uscc}/").json()
    assert (answer["complaints_total"], answer["complaints_upheld"], answer["complaints_not_upheld"]) == (3, 1, 1)
    assert answer["complaints_open"] == 1
    assert api.get(f"/api/v1/enterprises/{city.contractor.uscc}/").json()["complaints_total"] == 0


@pytest.mark.parametrize("code", ["", "AAAA-BBBB-CCCC", "x" * 500, "\x00", "../../etc/passwd"])
def test_a_wrong_tracking_code_finds_nothing_without_a_500(city, board, code):
    file(Client(), board, enterprise=city.contractor.pk)
    answer = Client().post("/complaints/track/", {"code": code})
    assert answer.status_code == 404 and "未找到" in answer.content.decode()
