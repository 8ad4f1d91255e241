"""Two stops of attendance (中山 2019 上线通知 三(十二)), through the public API: punches from the gate,
status requests approved at both levels, the nightly run, the presence API and the project page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inspections.models import Alert, Policy
from tests.factories import engage, id_number, person
from tests.inspections.test_figures_hold import at, nights, punch

pytestmark = pytest.mark.django_db

PM, LEAD = id_number("442000", "19750101", 31), id_number("442000", "19760101", 32)


@pytest.fixture
def site(city, gate):
    """The project manager and the technical lead (both the general contractor's) attend every day from 1
    to 14 October 2026 and not after; the contractor has the stop of attendance approved from the 15th,
    on the safety evaluation report (安全生产标准化评定报告)."""
    engage(
        city.project,
        city.contractor,
        who=person(PM, "王建国"),
        category="manager",
        position="project_manager",
        entered_on=dt.date(2026, 9, 1),
    )
    engage(
        city.project,
        city.contractor,
        who=person(LEAD, "李技术"),
        category="manager",
        position="technical_lead",
        entered_on=dt.date(2026, 9, 1),
    )
    for day in range(1, 15):
        with time_machine.travel(at(10, day, 8, 5), tick=False):
            answer = gate.punches([punch(f"PM-{day}", PM, at(10, day, 8)), punch(f"TL-{day}", LEAD, at(10, day, 8))])
            assert answer.status_code == 200, answer.content
    _approved(city, "stop_attendance", "安全生产标准化评定已完成，申请停止劳务人员和其他管理人员考勤")
    return city


def _approved(city, kind: str, reason: str) -> None:
    with time_machine.travel(at(10, 14, 10), tick=False):
        filed = city.client("contractor").post(
            "/api/v1/status-requests/",
            {
                "project": city.project.permit_no,
                "kind": kind,
                "reason": reason,
                "effective_from": "2026-10-15",
            },
            format="json",
        )
        assert filed.status_code == 201, filed.content
        _document(city, filed.json()["id"])
        for who in ("haishu", "city"):
            decided = city.client(who).post(f"/api/v1/status-requests/{filed.json()['id']}/approve/", {}, format="json")
            assert decided.status_code == 200, decided.content
        assert decided.json()["state"] == "approved"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _document(city, request_id: int, kind: str = "report") -> None:
    upload = city.client("contractor").post(
        f"/api/v1/status-requests/{request_id}/attachments/",
        {"kind": kind, "file": SimpleUploadedFile("评定报告.pdf", PDF)},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content


def _zhongshan():
    Policy.objects.filter(district__isnull=True, in_force=True).update(in_force=False)
    Policy.objects.filter(preset="zhongshan_2019").update(in_force=True)


def _month(city) -> dict[str, tuple[int, int]]:
    nights(dt.date(2026, 10, 31), dt.date(2026, 10, 31))
    with time_machine.travel(at(11, 2), tick=False):
        answer = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/presence/?month=2026-10")
    assert answer.status_code == 200
    return {m["name"]: (m["attended_days"], m["construction_days"]) for m in answer.json()["managers"]}


def test_the_project_managers_attendance_goes_on_past_the_others_stop(site):
    """三(十二)1: 劳务人员和其他管理人员 stop on the "安全生产标准化评定报告"; 三(十二)2: 项目经理 only on the
    "工程现场施工质量监督任务完成告知书"; "在整个系统流程未完成审批前，请现场岗位人员照常考勤". A project manager who
    leaves the site with everyone else when the safety report stops attendance is absent for the rest of
    the month."""
    _zhongshan()
    assert _month(site) == {"王建国": (14, 31), "李技术": (14, 14)}
    flagged = list(Alert.objects.filter(rule="R11").values_list("subject", flat=True))
    assert flagged == ["王建国（项目经理）"]
    staff = Client()
    staff.force_login(site.users["haishu"])
    with time_machine.travel(at(11, 2), tick=False):
        page = staff.get(f"/projects/{site.project.permit_no}/?month=2026-10", secure=True).content.decode()
    pm_row = next(line for line in page.splitlines() if "王建国" in line and "m-" in line)
    lead_row = next(line for line in page.splitlines() if "李技术" in line and "m-" in line)
    assert pm_row.count('class="m-absent"') == 17 and lead_row.count('class="m-absent"') == 0


def test_the_quality_notice_ends_the_project_managers_attendance(site):
    _zhongshan()
    _approved(site, "stop_manager_attendance", "已取得工程现场施工质量监督任务完成告知书，申请项目经理停止考勤")
    assert _month(site) == {"王建国": (14, 14), "李技术": (14, 14)}
    assert not Alert.objects.filter(rule="R11").exists()


def test_under_one_stop_the_safety_report_ends_everyones_attendance(site):
    """Ningbo's default: one stop of attendance ends everyone's, the project manager's included."""
    assert _month(site) == {"王建国": (14, 14), "李技术": (14, 14)}
    assert not Alert.objects.filter(rule="R11").exists()


def test_the_project_managers_stop_takes_effect_only_on_approval(site):
    """A request that takes effect before approval would let the contractor stop attending first."""
    _zhongshan()
    with time_machine.travel(at(10, 14, 10), tick=False):
        filed = site.client("contractor").post(
            "/api/v1/status-requests/",
            {
                "project": site.project.permit_no,
                "kind": "stop_manager_attendance",
                "reason": "已取得告知书",
                "effective_from": "2026-10-15",
            },
            format="json",
        )
        assert filed.status_code == 201
        _document(site, filed.json()["id"])
        site.client("haishu").post(f"/api/v1/status-requests/{filed.json()['id']}/approve/", {}, format="json")
    assert _month(site)["王建国"] == (14, 31)  # the city never approved: he is held to the month
    assert Alert.objects.filter(rule="R11", subject="王建国（项目经理）").exists()


def test_a_stop_is_approved_only_on_its_document(city):
    """三(十二)1(1): the stop request is filed "并上传'安全生产标准化评定报告'扫描件". Without a report attached,
    neither level approves it, and the project goes on being judged; a site photo is not the report."""
    with time_machine.travel(at(10, 14, 10), tick=False):
        filed = city.client("contractor").post(
            "/api/v1/status-requests/",
            {
                "project": city.project.permit_no,
                "kind": "stop_attendance",
                "reason": "主体完工",
                "effective_from": "2026-10-15",
            },
            format="json",
        )
        request_id = filed.json()["id"]
        _document(city, request_id, kind="site_photo")
        refused = city.client("haishu").post(f"/api/v1/status-requests/{request_id}/approve/", {}, format="json")
        assert refused.status_code == 400
        assert "安全生产标准化评定报告" in refused.json()["attachments"][0]
        assert city.client("haishu").get(f"/api/v1/status-requests/{request_id}/").json()["state"] == "pending_district"
        _document(city, request_id)
        assert (
            city.client("haishu")
            .post(f"/api/v1/status-requests/{request_id}/approve/", {}, format="json")
            .json()["state"]
            == "pending_city"
        )
