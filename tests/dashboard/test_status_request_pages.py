"""Status requests from the pages (issue 15): the general contractor files one with its attachment on
the project page; the district approves first, the city second; every bad form answers the field's
Chinese message and changes nothing; nobody decides another's level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from projects.models import Project, StatusRequest, StatusRequestAttachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 stamped form"
APPROVE = {"action": "approve", "confirm": "yes"}  # the decision's box ticked (it is final)
REJECT_BLANK = {"action": "reject", "comment": "", "confirm": "yes"}


def signed_in(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def file_suspension(client: Client, city, **fields):
    data = {
        "kind": "suspension",
        "reason": "主体结构验收，暂停施工",
        "attachment_kind": "form_scan",
        "effective_from": timezone.localdate().isoformat(),
        "attachment": SimpleUploadedFile("停工申请表.pdf", PDF),
        **fields,
    }
    return client.post(f"/projects/{city.project.permit_no}/status-requests/", data, follow=True, secure=True)


def test_the_contractor_files_from_the_project_page_and_two_levels_approve(city):
    contractor = signed_in(city, "contractor")
    page = contractor.get(f"/projects/{city.project.permit_no}/", secure=True).content.decode()
    assert "提交状态变更申请" in page
    answer = file_suspension(contractor, city)
    assert "待区县审核" in answer.content.decode() or "区县" in answer.content.decode()
    filed = StatusRequest.objects.get(project=city.project)
    assert filed.state == "pending_district" and filed.attachments.count() == 1

    district = signed_in(city, "haishu")
    page = district.get(f"/projects/{city.project.permit_no}/", secure=True).content.decode()
    assert "停工申请表.pdf" in page and f"/status-requests/{filed.pk}/decide/" in page
    # A decision is final: without its box ticked nothing is decided, and the page says why.
    unticked = district.post(
        f"/status-requests/{filed.pk}/decide/", {"action": "approve", "comment": "已核实"}, follow=True, secure=True
    )
    assert "未作出审批" in unticked.content.decode() and "勾选" in unticked.content.decode()
    filed.refresh_from_db()
    assert filed.state == "pending_district"
    district.post(
        f"/status-requests/{filed.pk}/decide/",
        APPROVE | {"comment": "已核实"},
        secure=True,
    )
    filed.refresh_from_db()
    assert filed.state == "pending_city" and Project.objects.get(pk=city.project.pk).status == "active"

    signed_in(city, "city").post(f"/status-requests/{filed.pk}/decide/", APPROVE, secure=True)
    filed.refresh_from_db()
    assert filed.state == "approved"
    assert Project.objects.get(pk=city.project.pk).status == "suspended"


def test_a_bad_form_answers_the_fields_chinese_message_and_files_nothing(city):
    contractor = signed_in(city, "contractor")
    page = file_suspension(contractor, city, reason="").content.decode()
    assert "原因" in page and "必填" in page
    old = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    page = file_suspension(contractor, city, effective_from=old).content.decode()
    assert "最多" in page  # dated too far back: the service's own message
    page = file_suspension(contractor, city, attachment=SimpleUploadedFile("x.exe", b"MZ\x90\x00")).content.decode()
    assert "PDF" in page or "类型" in page
    assert not StatusRequest.objects.exists() and not StatusRequestAttachment.objects.exists()


def test_only_the_general_contractor_files(city):
    sub = signed_in(city, "subcontractor")
    assert "提交状态变更申请" not in sub.get(f"/projects/{city.project.permit_no}/", secure=True).content.decode()
    assert file_suspension(sub, city).status_code == 403
    assert not StatusRequest.objects.exists()


def test_nobody_decides_another_level_or_district_and_a_rejection_needs_its_reason(city):
    file_suspension(signed_in(city, "contractor"), city)
    filed = StatusRequest.objects.get()
    assert signed_in(city, "city").post(f"/status-requests/{filed.pk}/decide/", APPROVE, secure=True).status_code == 403
    assert (
        signed_in(city, "jiangbei").post(f"/status-requests/{filed.pk}/decide/", APPROVE, secure=True).status_code
        == 404
    )
    assert (
        signed_in(city, "contractor").post(f"/status-requests/{filed.pk}/decide/", APPROVE, secure=True).status_code
        == 403
    )
    page = (
        signed_in(city, "haishu")
        .post(f"/status-requests/{filed.pk}/decide/", REJECT_BLANK, follow=True, secure=True)
        .content.decode()
    )
    assert "理由" in page or "原因" in page
    filed.refresh_from_db()
    assert filed.state == "pending_district"


def test_the_forms_need_their_csrf_token(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.users["contractor"])
    assert file_suspension(client, city).status_code == 403
    assert not StatusRequest.objects.exists()


def test_a_refused_form_comes_back_with_what_was_typed_and_the_message_beside_its_field(city):
    """The reason and dates typed are kept; the message stands beside the field it is about, and the page
    opens on the form (not on a message at the top of a long page); the file must be chosen again."""
    import re

    contractor = signed_in(city, "contractor")
    old = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    answer = file_suspension(contractor, city, reason="塔吊检修，暂停施工", effective_from=old)
    assert answer.redirect_chain[-1][0].endswith("#file-request")
    page = answer.content.decode()
    form = re.search(r'<form [^>]*class="file-request refused" id="file-request">(.*?)</form>', page, flags=re.S)
    assert form, "the refused form is marked and anchored"
    form = form.group(1)
    assert 'value="塔吊检修，暂停施工"' in form and f'value="{old}"' in form
    assert re.search(rf'name="effective_from" value="{old}"[^>]*>\s*<span class="field-error"[^>]*>[^<]*最多', form)
    assert "请重新选择文件" in form
    assert "未保存任何内容" in page
    assert not StatusRequest.objects.exists()
    # The next view of the page is a fresh form: the refusal is shown once.
    again = contractor.get(f"/projects/{city.project.permit_no}/", secure=True).content.decode()
    assert "塔吊检修" not in again and "refused" not in re.search(r'<form [^>]*id="file-request"', again).group(0)
