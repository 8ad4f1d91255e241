"""Status requests with two-level approval, and the status history that rule R05 reads."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.choices import ProjectStatus
from projects.models import Project, ProjectStatusChange, StatusRequest
from smz_platform.common.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen():
    """Today is 25 November 2026 (requests are dated the next day)."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


def submit(city, kind="suspension", who="contractor", **fields):
    body = {
        "project": city.project.permit_no,
        "kind": kind,
        "reason": "主体结构完成，等待幕墙材料进场",
        "effective_from": "2026-11-26",
    }
    body.update(fields)
    return city.client(who).post("/api/v1/status-requests/", body, format="json")


def approve(city, request_id, who, comment=""):
    return city.client(who).post(f"/api/v1/status-requests/{request_id}/approve/", {"comment": comment}, format="json")


def test_a_suspension_changes_the_project_only_after_both_approvals(city):
    created = submit(city)
    assert created.status_code == 201
    request_id = created.json()["id"]
    assert created.json()["state"] == "pending_district"

    first = approve(city, request_id, "haishu", "现场核实属实")
    assert first.json()["state"] == "pending_city"
    # Attendance stays required while the request is pending: nothing about the project changed.
    assert Project.objects.get(pk=city.project.pk).status == ProjectStatus.ACTIVE

    second = approve(city, request_id, "city")
    assert second.status_code == 200
    assert second.json()["state"] == "approved"
    assert second.json()["district_decided_by"] == "haishu"
    assert second.json()["city_decided_by"] == "city"
    assert Project.objects.get(pk=city.project.pk).status == ProjectStatus.SUSPENDED


def test_the_history_records_the_approved_change_with_its_request(city):
    request_id = submit(city).json()["id"]
    approve(city, request_id, "haishu")
    approve(city, request_id, "city")
    history = city.client("haishu").get(f"/api/v1/projects/{city.project.permit_no}/status-history/").json()
    assert [(h["field"], h["old_value"], h["new_value"], h["status_request"], h["approved"]) for h in history] == [
        ("status", "active", "suspended", request_id, True),
    ]


def test_a_change_made_in_the_admin_is_recorded_without_a_request(city, client):
    client.force_login(city.users["city"])
    page = client.get(f"/admin/projects/project/{city.project.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "district": city.haishu.pk,
            "status": "completed",
            "completed_on": "2026-11-20",
            "planned_start": "2026-09-01",
            "actual_start": "2026-09-01",
            "required_positions": ["project_manager"],  # the boxes ticked (admin words: positions by name)
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/projects/project/{city.project.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    changes = ProjectStatusChange.objects.filter(project=city.project).order_by("field")
    assert [(c.field, c.new_value, c.status_request_id, c.changed_by.username) for c in changes] == [
        ("completed_on", "2026-11-20", None, "city"),
        ("status", "completed", None, "city"),
    ]


def test_a_start_date_change_starts_a_project(city):
    city.project.status = ProjectStatus.NOT_STARTED
    city.project.actual_start = None
    city.project.save()
    ProjectStatusChange.objects.all().delete()
    request_id = submit(city, kind="start_date_change", effective_from="2026-12-03").json()["id"]
    approve(city, request_id, "haishu")
    approve(city, request_id, "city")
    project = Project.objects.get(pk=city.project.pk)
    assert project.status == ProjectStatus.ACTIVE and project.actual_start == dt.date(2026, 12, 3)
    assert set(project.status_changes.values_list("field", "status_request_id")) == {
        ("status", request_id),
        ("actual_start", request_id),
    }


def test_a_start_more_than_nine_months_after_the_permit_is_refused_at_filing_and_at_approval(city):
    """中山 2019 上线通知 三(八)1 and 《建筑工程施工许可管理办法》第八条: "应当自领取施工许可证之日起三个月内开工
    … 延期以两次为限，每次不超过三个月". A start ten months after the permit is refused, saying why; nine
    months to the day is the last it allows."""
    city.project.status = ProjectStatus.NOT_STARTED
    city.project.actual_start = None
    city.project.permitted_on = dt.date(2026, 3, 10)
    city.project.save()
    late = submit(city, kind="start_date_change", effective_from="2027-01-10")  # ten months after
    assert late.status_code == 400
    assert "2026年12月10日" in late.json()["effective_from"][0] and "施工许可" in late.json()["effective_from"][0]
    assert not StatusRequest.objects.filter(project=city.project).exists()
    last_day = submit(city, kind="start_date_change", effective_from="2026-12-10")
    assert last_day.status_code == 201, last_day.json()
    # The permit's date corrected after filing: neither level approves a start it no longer allows.
    Project.objects.filter(pk=city.project.pk).update(permitted_on=dt.date(2026, 3, 1))
    refused = approve(city, last_day.json()["id"], "haishu")
    assert refused.status_code == 400 and "effective_from" in refused.json()
    assert StatusRequest.objects.get(pk=last_day.json()["id"]).state == "pending_district"


def test_a_mobile_attendance_permit_leaves_the_project_as_it_is(city):
    request_id = submit(city, kind="mobile_attendance", effective_to="2027-03-31").json()["id"]
    approve(city, request_id, "haishu")
    assert approve(city, request_id, "city").json()["state"] == "approved"
    assert not ProjectStatusChange.objects.exists()


def test_a_platform_docking_request_names_a_vendor(city):
    missing = submit(city, kind="platform_docking")
    assert missing.status_code == 400 and "vendor" in missing.json()
    not_vendor = submit(city, kind="platform_docking", vendor=city.supervisor.uscc)
    assert not_vendor.status_code == 400 and "vendor" in not_vendor.json()
    assert submit(city, kind="platform_docking", vendor=city.vendor.uscc).status_code == 201


def test_the_city_cannot_skip_the_district_level(city):
    request_id = submit(city).json()["id"]
    response = approve(city, request_id, "city")
    assert response.status_code == 403
    assert StatusRequest.objects.get(pk=request_id).state == "pending_district"


def test_another_districts_staff_cannot_approve(city):
    request_id = submit(city).json()["id"]
    assert approve(city, request_id, "jiangbei").status_code == 404


def test_a_decided_request_cannot_be_decided_again(city):
    request_id = submit(city).json()["id"]
    approve(city, request_id, "haishu")
    approve(city, request_id, "city")
    assert approve(city, request_id, "city").status_code == 409


def test_a_rejection_needs_a_reason_and_ends_the_request(city):
    request_id = submit(city).json()["id"]
    url = f"/api/v1/status-requests/{request_id}/reject/"
    assert city.client("haishu").post(url, {}, format="json").status_code == 400
    response = city.client("haishu").post(url, {"reason": "现场仍在施工"}, format="json")
    assert response.json()["state"] == "rejected"
    assert response.json()["district_comment"] == "现场仍在施工"
    assert Project.objects.get(pk=city.project.pk).status == ProjectStatus.ACTIVE


def test_the_contractor_may_withdraw_a_pending_request(city):
    request_id = submit(city).json()["id"]
    response = city.client("contractor").post(f"/api/v1/status-requests/{request_id}/withdraw/")
    assert response.json()["state"] == "withdrawn"
    assert submit(city).status_code == 201  # a new one may be filed


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "resumption"}, "kind"),  # the project is not suspended
        ({"kind": "holiday"}, "kind"),
        ({"reason": ""}, "reason"),
        ({"effective_from": "2026-12-10", "effective_to": "2026-12-01"}, "effective_to"),
        ({"project": "NO-SUCH"}, "project"),
        ({"vendor": "91330200MA0000000X"}, "vendor"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(city, fields, field):
    response = submit(city, **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert not StatusRequest.objects.exists()


def test_a_second_pending_request_of_the_same_kind_is_a_conflict(city):
    assert submit(city).status_code == 201
    assert submit(city).status_code == 409


def test_only_the_general_contractor_files_requests(city):
    assert submit(city, who="subcontractor").status_code == 403
    assert submit(city, who="haishu").status_code == 403


def test_attachments_are_checked_stored_and_served_only_within_the_jurisdiction(city):
    request_id = submit(city).json()["id"]
    url = f"/api/v1/status-requests/{request_id}/attachments/"
    upload = city.client("contractor").post(
        url, {"kind": "form_scan", "file": SimpleUploadedFile("停工申请表.pdf", PDF)}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()
    attachment = upload.json()
    assert attachment["content_type"] == "application/pdf" and attachment["size"] == len(PDF)

    photo = city.client("contractor").post(
        url, {"kind": "site_photo", "file": SimpleUploadedFile("现场.jpg", JPEG)}, format="multipart"
    )
    assert photo.status_code == 201

    fake = city.client("contractor").post(
        url, {"kind": "form_scan", "file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")}, format="multipart"
    )
    assert fake.status_code == 400 and "file" in fake.json()

    download = city.client("haishu").get(f"{url}{attachment['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="download_attachment", username="haishu").count() == 1
    assert city.client("jiangbei").get(f"{url}{attachment['id']}/").status_code == 404
    # Stored through the storage API, never under a public URL.
    stored = StatusRequest.objects.get(pk=request_id).attachments.first()
    assert default_storage.exists(stored.file.name)


def test_status_requests_are_listed_and_filtered(city):
    submit(city)
    submit(city, kind="mobile_attendance")
    client = city.client("haishu")
    assert client.get("/api/v1/status-requests/").json()["count"] == 2
    assert client.get("/api/v1/status-requests/?kind=mobile_attendance").json()["count"] == 1
    assert client.get("/api/v1/status-requests/?state=approved").json()["count"] == 0
    assert city.client("jiangbei").get("/api/v1/status-requests/").json()["count"] == 0
