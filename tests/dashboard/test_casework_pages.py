"""Casework in the pages (issue 15): the district issues an order on the case's page, the general
contractor answers it with a file, the district accepts; the ladder's proposals confirmed or declined;
every bad form answered in Chinese with nothing written; nobody acts outside their project or level."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inspections.choices import MeasureKind, MeasureState
from inspections.models import CaseEvent, Measure, MeasureDocument, RectificationReply
from inspections.services.cases import case_open
from tests.dashboard.pages import signed_in, text
from tests.factories import engage, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]

PDF = b"%PDF-1.4 order"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def case(city):
    return case_open(user=city.users["haishu"], project=city.project, title="考勤设备未接入")


def issue(client: Client, case, **fields):
    data = {
        "kind": "rectification",
        "issued_on": "2026-11-25",
        "basis": "R01",
        "deadline": "2026-12-02",
        "document_no": "海建整〔2026〕12号",
        "document": SimpleUploadedFile("整改通知书.pdf", PDF),
        "confirm": "on",
        **fields,
    }
    return client.post(f"/cases/{case.pk}/measures/", data, follow=True, secure=True)


def test_the_district_issues_an_order_the_contractor_answers_and_the_district_accepts(city, case):
    district = signed_in(city, "haishu")
    page = text(district.get(f"/cases/{case.pk}/", secure=True))
    assert "下达处理措施" in page and "考勤设备未接入" in page
    assert "处理措施已下达" in text(issue(district, case))
    order = Measure.objects.get(case=case)
    assert (order.kind, order.state, order.document_no) == ("rectification", "issued", "海建整〔2026〕12号")
    assert order.target_enterprise == city.contractor  # by default the general contractor
    assert order.documents.get().original_name == "整改通知书.pdf"

    contractor = signed_in(city, "contractor")
    project_page = text(contractor.get(f"/projects/{city.project.permit_no}/", secure=True))
    assert "考勤设备未接入" in project_page
    page = text(contractor.get(f"/cases/{case.pk}/", secure=True))
    assert "提交整改回复" in page and "整改通知书.pdf" in page
    answered = contractor.post(
        f"/measures/{order.pk}/reply/",
        {"text": "已安装人脸识别闸机两台并接入平台", "files": [SimpleUploadedFile("闸机照片.png", PNG)]},
        follow=True,
        secure=True,
    )
    assert "整改回复已提交" in text(answered)
    reply = RectificationReply.objects.get(measure=order)
    assert reply.documents.get().original_name == "闸机照片.png"

    page = text(district.get(f"/cases/{case.pk}/", secure=True))
    assert "已安装人脸识别闸机两台" in page and "整改通过" in page
    accepted = district.post(
        f"/replies/{reply.pk}/review/", {"action": "accept", "note": "现场核实"}, follow=True, secure=True
    )
    assert "整改已通过" in text(accepted)
    order.refresh_from_db()
    assert order.state == MeasureState.CLOSED
    assert list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("action", flat=True)) == [
        "opened",
        "measure_issued",
        "reply_submitted",
        "reply_accepted",
    ]
    history = text(district.get(f"/cases/{case.pk}/", secure=True))
    assert all(words in history for words in ("立案", "下达处理措施", "提交整改回复", "整改通过"))

    closed = district.post(f"/cases/{case.pk}/close/", {"note": "整改到位"}, follow=True, secure=True)
    assert "已结案" in text(closed)


def test_a_bad_measure_form_is_answered_in_chinese_and_nothing_is_issued(city, case):
    district = signed_in(city, "haishu")
    assert "整改期限" in text(issue(district, case, deadline=""))  # an order needs its deadline (the service)
    assert "罚款" in text(issue(district, case, kind="penalty", basis="R02", deadline="", fine_yuan="-5"))
    assert "下达日期" in text(issue(district, case, issued_on="2026-13-01"))
    future = issue(district, case, issued_on="2026-12-30")
    assert "未来" in text(future) or "不能" in text(future)
    # A firm of another project (of another district) is not on the list: refused, and nothing is learnt of it.
    assert "有效" in text(issue(district, case, target_enterprise=str(city.other_contractor.pk)))
    assert "PDF" in text(issue(district, case, document=SimpleUploadedFile("order.exe", b"MZ\x90\x00")))
    assert not Measure.objects.exists() and not MeasureDocument.objects.exists()


def test_the_target_is_chosen_from_the_projects_firms_and_managers(city, case):
    manager = engage(
        city.project, city.contractor, person(name="于春燕"), category="manager", position="project_manager"
    ).person
    district = signed_in(city, "haishu")
    page = district.get(f"/cases/{case.pk}/", secure=True).content.decode()
    assert city.supervisor.name in page and "于春燕（项目经理）" in page
    assert city.other_contractor.name not in page
    issue(
        district,
        case,
        kind="credit",
        basis="R02",
        deadline="",
        points="3",
        target_enterprise=str(city.supervisor.pk),
        target_person=str(manager.pk),
    )
    measure = Measure.objects.get()
    assert (measure.target_enterprise, measure.target_person, measure.points) == (city.supervisor, manager, 3)


def test_nobody_outside_the_projects_district_acts_on_its_case(city, case):
    order_page = f"/cases/{case.pk}/"
    assert signed_in(city, "jiangbei").get(order_page, secure=True).status_code == 404
    assert signed_in(city, "subcontractor").get(order_page, secure=True).status_code == 404
    assert issue(signed_in(city, "jiangbei"), case).status_code == 404
    assert issue(signed_in(city, "contractor"), case).status_code == 403
    assert (
        signed_in(city, "contractor").post(f"/cases/{case.pk}/close/", {"note": "自行结案"}, secure=True).status_code
        == 403
    )
    assert not Measure.objects.exists() and case.state == "open"


def test_a_reply_with_a_forbidden_file_writes_nothing_and_only_the_contractor_replies(city, case):
    issue(signed_in(city, "haishu"), case)
    order = Measure.objects.get()
    contractor = signed_in(city, "contractor")
    refused = contractor.post(
        f"/measures/{order.pk}/reply/",
        {"text": "已整改", "files": [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("x.exe", b"MZ\x90")]},
        follow=True,
        secure=True,
    )
    assert "x.exe" in text(refused) and "PDF" in text(refused)
    assert "描述" in text(contractor.post(f"/measures/{order.pk}/reply/", {"text": " "}, follow=True, secure=True))
    # The order is addressed to the general contractor: the supervision firm does not read it (404).
    assert (
        signed_in(city, "supervisor")
        .post(f"/measures/{order.pk}/reply/", {"text": "监理代答"}, secure=True)
        .status_code
        == 404
    )
    order.refresh_from_db()
    assert order.state == "issued" and not RectificationReply.objects.exists()
    assert MeasureDocument.objects.filter(reply__isnull=False).count() == 0


def test_a_rejection_needs_its_reason_and_the_order_runs_on(city, case):
    issue(signed_in(city, "haishu"), case)
    order = Measure.objects.get()
    signed_in(city, "contractor").post(f"/measures/{order.pk}/reply/", {"text": "已整改"}, secure=True)
    reply = RectificationReply.objects.get()
    district = signed_in(city, "haishu")
    assert "退回" in text(district.post(f"/replies/{reply.pk}/review/", {"action": "reject"}, follow=True, secure=True))
    reply.refresh_from_db()
    assert reply.state == "submitted"
    assert (
        signed_in(city, "contractor")
        .post(f"/replies/{reply.pk}/review/", {"action": "accept"}, secure=True)
        .status_code
        == 403
    )
    district.post(f"/replies/{reply.pk}/review/", {"action": "reject", "note": "照片不清晰"}, secure=True)
    order.refresh_from_db()
    reply.refresh_from_db()
    assert (reply.state, order.state) == ("rejected", "issued")
    again = district.post(f"/replies/{reply.pk}/review/", {"action": "accept"}, follow=True, secure=True)
    assert "已审核" in text(again)  # a second review of the same report is refused
    reply.refresh_from_db()
    assert reply.state == "rejected"


@pytest.fixture
def proposals(city, case):
    """Two measures the escalation proposed in the case."""
    made = []
    for kind in (MeasureKind.PENALTY, MeasureKind.CREDIT):
        made.append(
            Measure.objects.create(
                case=case,
                kind=kind,
                state=MeasureState.PROPOSED,
                basis="R02",
                issuing_body="海曙区住房和城乡建设局",
                created_at=dt.datetime(2026, 11, 25, 2, 30, tzinfo=dt.UTC),
                target_enterprise=city.contractor,
                fine_yuan=None if kind == MeasureKind.CREDIT else 5000,
                points=3 if kind == MeasureKind.CREDIT else None,
            )
        )
    return made


def test_staff_confirm_or_decline_the_ladders_proposals_and_the_contractor_does_not_see_them(city, proposals):
    penalty, credit = proposals
    contractor_page = text(signed_in(city, "contractor").get(f"/cases/{penalty.case_id}/", secure=True))
    assert "行政处罚" not in contractor_page
    district = signed_in(city, "haishu")
    page = text(district.get(f"/cases/{penalty.case_id}/", secure=True))
    assert "确认并下达" in page and "不予采纳" in page
    confirmed = district.post(
        f"/measures/{penalty.pk}/confirm/",
        {"document_no": "海建罚〔2026〕3号", "confirm": "on"},
        follow=True,
        secure=True,
    )
    assert "已确认并下达" in text(confirmed)
    penalty.refresh_from_db()
    assert (penalty.state, penalty.issued_on) == ("issued", dt.date(2026, 11, 25))
    assert penalty.document_no == "海建罚〔2026〕3号"
    assert "理由" in text(district.post(f"/measures/{credit.pk}/withdraw/", {"reason": ""}, follow=True, secure=True))
    credit.refresh_from_db()
    assert credit.state == "proposed"
    district.post(f"/measures/{credit.pk}/withdraw/", {"reason": "情节轻微，已当场改正"}, secure=True)
    credit.refresh_from_db()
    assert credit.state == "withdrawn"
    assert (
        signed_in(city, "contractor")
        .post(f"/measures/{penalty.pk}/withdraw/", {"reason": "不服"}, secure=True)
        .status_code
        == 403
    )


def test_the_district_opens_a_case_from_inspection_findings(city):
    from inspections.models import Case, InspectionFinding
    from inspections.services.inspections import FindingIn, inspection_record

    inspection = inspection_record(
        user=city.users["haishu"],
        project=city.project,
        kind="online_patrol",
        day=dt.date(2026, 11, 24),
        inspectors="李明",
        findings=[FindingIn("R02", "考勤设备未直连平台")],
    )
    finding = InspectionFinding.objects.get(inspection=inspection)
    url = f"/projects/{city.project.permit_no}/cases/"
    page = signed_in(city, "haishu").get(f"/projects/{city.project.permit_no}/", secure=True).content.decode()
    assert f'name="finding" value="{finding.pk}"' in page
    refused = signed_in(city, "jiangbei").post(url, {"finding": finding.pk, "title": "越权"}, secure=True)
    assert refused.status_code == 404
    assert (
        signed_in(city, "contractor").post(url, {"finding": finding.pk, "title": "自查"}, secure=True).status_code
        == 403
    )
    untitled = signed_in(city, "haishu").post(url, {"finding": finding.pk, "title": " "}, follow=True, secure=True)
    assert "标题" in text(untitled) and not Case.objects.exists()
    opened = signed_in(city, "haishu").post(
        url, {"finding": finding.pk, "title": "设备未直连"}, follow=True, secure=True
    )
    case = Case.objects.get()
    assert opened.redirect_chain[-1][0] == f"/cases/{case.pk}/" and "考勤设备未直连平台" in text(opened)
    finding.refresh_from_db()
    assert finding.case == case


def test_a_refused_measure_form_keeps_the_document_number_and_category(city, case):
    import re

    district = signed_in(city, "haishu")
    answer = issue(district, case, deadline="", document_no="海建整〔2026〕31号", basis="R11")
    page = answer.content.decode()
    form = re.search(r'<form [^>]*class="stack issue refused" id="issue">(.*?)</form>', page, flags=re.S).group(1)
    assert 'value="海建整〔2026〕31号"' in form
    assert re.search(r'<option value="R11" selected>', form)
    assert re.search(r'name="deadline"[^>]*>\s*<span class="field-error"[^>]*>[^<]*整改期限', form)
    assert not Measure.objects.exists()


def test_an_order_not_confirmed_is_not_issued_and_the_form_keeps_what_was_typed(city, case):
    """Issuing a measure cannot be taken back (only withdrawn with a reason): the box says to whom it goes
    and must be ticked; unticked, nothing is written and the message stands beside the box."""
    district = signed_in(city, "haishu")
    form = district.get(f"/cases/{case.pk}/", secure=True).content.decode()
    assert 'name="confirm"' in form and "信用" in text(district.get(f"/cases/{case.pk}/", secure=True))
    page = issue(district, case, confirm="").content.decode()
    assert not Measure.objects.filter(case=case).exists()
    assert 'value="海建整〔2026〕12号"' in page  # what was typed, still there
    assert re.search(r'name="confirm"[^>]*>[^<]*<span class="field-error"[^>]*>请勾选确认', page) or re.search(
        r'<label class="confirm invalid">.*?请勾选确认', page, flags=re.S
    )
