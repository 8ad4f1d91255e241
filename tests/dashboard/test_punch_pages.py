"""Punches as evidence (issue 15): an R07 alert's page lists the punches that used the same photo, each
linked to its detail; the reused photo is shown to the project's regulators only, and every view of it
is audit-logged; nobody else reads a punch or its photo."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from attendance.models import Punch
from smz_platform.common.models import AuditEvent
from tests.dashboard.conftest import PHOTO
from tests.dashboard.pages import signed_in, text
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def test_the_r07_page_lists_the_punches_and_shows_the_reused_photo_to_its_regulators(city, reused):
    district = signed_in(city, "haishu")
    page = district.get(f"/alerts/{reused.pk}/", secure=True)
    body = text(page)
    assert "陈大勇" in body and "刘小山" in body and "HS-GATE-01" in body
    punches = sorted(Punch.objects.values_list("pk", flat=True))
    assert all(f"/punches/{pk}/" in page.content.decode() for pk in punches)
    assert "查看被重复使用的照片" in body
    assert not AuditEvent.objects.filter(action="view_unmasked").exists()  # the page alone shows no face

    detail = text(district.get(f"/punches/{punches[0]}/", secure=True))
    assert "人脸" in detail and "0.93" in detail and "另有1条考勤使用同一照片" in detail
    photo = district.get(f"/punches/{punches[0]}/photo", secure=True)
    assert photo.status_code == 200 and photo.content == PHOTO and photo["Cache-Control"] == "private, no-store"
    logged = AuditEvent.objects.get(action="view_unmasked")
    assert (logged.username, logged.project_permit_no) == ("haishu", city.project.permit_no)


@pytest.mark.parametrize("who", ["jiangbei", "contractor", "subcontractor", "vendor"])
def test_nobody_else_reads_a_punch_or_its_photo(city, reused, who):
    pk = Punch.objects.order_by("pk").values_list("pk", flat=True).first()
    client = signed_in(city, who)
    assert client.get(f"/punches/{pk}/", secure=True).status_code in (403, 404)
    assert client.get(f"/punches/{pk}/photo", secure=True).status_code in (403, 404)
    assert not AuditEvent.objects.filter(action="view_unmasked").exists()


def test_a_punch_without_a_photo_has_none_to_show(city, gate):
    engage(city.project, city.subcontractor, who=person(id_number("341221", "19800315", 417), "陈大勇"))
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=SH), tick=False):
        gate.punches(
            [
                {
                    "record_id": "N-1",
                    "id_number": id_number("341221", "19800315", 417),
                    "method": "face",
                    "direction": "in",
                    "punched_at": dt.datetime(2026, 11, 20, 7, tzinfo=SH).isoformat(),
                }
            ]
        )
    pk = Punch.objects.get().pk
    district = signed_in(city, "haishu")
    assert district.get(f"/punches/{pk}/photo", secure=True).status_code == 404
    assert "无" in text(district.get(f"/punches/{pk}/", secure=True))
    assert district.get("/punches/999999999/", secure=True).status_code == 404
