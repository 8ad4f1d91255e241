"""Site visits and random draws in the pages (issue 15): the district records an inspection with its
headcount, findings, device tests and photos, the contractor then sees the findings of its project;
a draw is made and listed with its seed; bad forms are answered in Chinese and record nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from devices.models import Device
from inspections.models import Inspection, InspectionFinding, InspectionPhoto, RandomDraw
from tests.dashboard.pages import signed_in, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def visit(client: Client, city, **fields):
    data = {
        "kind": "site_visit",
        "day": "2026-11-25",
        "inspectors": "李明、张华",
        "headcount": "37",
        "notes": "闸机运行正常",
        "finding-0-category": "R02",
        "finding-0-description": "项目经理不在岗",
        "test-HS-GATE-01": "accepts_photo",
        "photos": [SimpleUploadedFile("现场.png", PNG)],
        **fields,
    }
    return client.post(f"/projects/{city.project.permit_no}/inspections/new/", data, follow=True, secure=True)


def test_the_district_records_a_site_visit_and_the_contractor_sees_its_findings(city, gate):
    district = signed_in(city, "haishu")
    form = district.get(f"/projects/{city.project.permit_no}/inspections/new/", secure=True).content.decode()
    assert "现场清点人数" in form and "HS-GATE-01" in form and 'capture="environment"' in form
    done = text(visit(district, city))
    assert "检查记录已保存，共2条发现" in done
    inspection = Inspection.objects.get()
    assert (inspection.headcount, inspection.inspectors, inspection.recorded_by) == (
        37,
        "李明、张华",
        city.users["haishu"],
    )
    found = sorted(InspectionFinding.objects.values_list("category", flat=True))
    assert found == ["R02", "R06"]  # the gate that accepted a photo is a finding of its own
    assert InspectionPhoto.objects.get().caption == "现场照片1"

    page = text(signed_in(city, "contractor").get(f"/projects/{city.project.permit_no}/", secure=True))
    assert "项目经理不在岗" in page and "HS-GATE-01" in page and "现场清点37人" in page
    assert "录入检查记录" not in page  # the contractor reads the findings, it does not inspect
    assert "项目经理不在岗" not in text(
        signed_in(city, "subcontractor").get(f"/projects/{city.project.permit_no}/", secure=True)
    )


def test_a_bad_visit_form_records_nothing(city, gate):
    district = signed_in(city, "haishu")
    assert "不能晚于今天" in text(visit(district, city, day="2026-12-24"))
    assert "检查人员" in text(visit(district, city, inspectors=""))
    assert "人数" in text(visit(district, city, headcount="-3"))
    assert "类别" in text(visit(district, city, **{"finding-0-category": ""}))
    assert "JPEG" in text(visit(district, city, photos=[SimpleUploadedFile("x.pdf", b"%PDF-1.4")]))
    assert "无法识别" in text(visit(district, city, **{"test-HS-GATE-01": "broken"}))
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()
    assert not InspectionFinding.objects.exists()


def test_only_the_projects_district_records_its_inspections(city, gate):
    page = f"/projects/{city.project.permit_no}/inspections/new/"
    assert signed_in(city, "jiangbei").get(page, secure=True).status_code == 404
    assert signed_in(city, "contractor").get(page, secure=True).status_code == 403
    assert visit(signed_in(city, "contractor"), city).status_code == 403
    assert not Inspection.objects.exists()
    assert Device.objects.filter(project=city.project).count() == 1


def text_plain(page: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))


def draw_form(client, **fields) -> dict:
    """The draw form as the page hands it out (its one-time token), ticked and filled."""
    page = client.get("/draws/", secure=True).content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]+)"', page).group(1)
    return {"token": token, "confirm": "on", **fields}


def test_a_draw_is_made_listed_with_its_seed_and_limited_to_the_accounts_district(city, gate):
    district = signed_in(city, "haishu")
    form = draw_form(district, district=str(city.haishu.pk), size="1")
    drawn = district.post("/draws/", form, follow=True, secure=True)
    assert "已抽取1个项目" in text(drawn) and city.project.name in text(drawn) and "复核结果一致" in text(drawn)
    draw = RandomDraw.objects.get()
    assert draw.drawn == [city.project.permit_no] and draw.seed in text(drawn)
    # The same submission again (a double click, a refresh) is the same draw, not a second chance.
    district.post("/draws/", form, follow=True, secure=True)
    assert RandomDraw.objects.count() == 1
    # Unticked: what the draw does is confirmed first; nothing is drawn.
    unticked = {k: v for k, v in draw_form(district, district=str(city.haishu.pk), size="1").items() if k != "confirm"}
    assert "必填" in text(district.post("/draws/", unticked, follow=True, secure=True))
    refused = district.post(
        "/draws/", draw_form(district, district=str(city.jiangbei.pk), size="1"), follow=True, secure=True
    )
    assert "有效" in text(refused)  # another district is not on the district's list
    assert "200" in text(
        district.post(
            "/draws/", draw_form(district, district=str(city.haishu.pk), size="500"), follow=True, secure=True
        )
    )
    assert RandomDraw.objects.count() == 1
    # The inspectors drawn with the projects, from the pool named on the form (kept for the next draw).
    pool = "张执法\n李执法\n王执法"
    district.post(
        "/draws/",
        draw_form(district, district=str(city.haishu.pk), size="1", inspector_pool=pool, inspector_count="2"),
        secure=True,
    )
    second = RandomDraw.objects.first()
    assert len(second.inspectors) == 2 and set(second.inspectors) <= {"张执法", "李执法", "王执法"}
    page = district.get("/draws/", secure=True).content.decode()
    assert (
        f"抽取检查人员：{'、'.join(second.inspectors)}" in text_plain(page)
        and "张执法\n李执法\n王执法</textarea>" in page
    )
    assert signed_in(city, "contractor").get("/draws/", secure=True).status_code == 403
    assert city.project.name not in text(signed_in(city, "jiangbei").get("/draws/", secure=True))
