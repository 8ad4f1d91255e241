"""Labour contracts (劳动合同): recorded with the engagement they bind, the signed scan stored encrypted and
every download logged; a malformed contract is refused on its field, nothing stored."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from smz_platform.common.models import AuditEvent
from tests.factories import engage, person
from wages.models import LabourContract

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def worker(city):
    return engage(city.project, city.subcontractor, who=person(name="分包工人乙"), entered_on=dt.date(2026, 9, 1))


def path(city, engagement) -> str:
    return f"/api/v1/projects/{city.project.permit_no}/engagements/{engagement.pk}/contracts/"


def body(**fields) -> dict:
    scan = io.BytesIO(PDF)
    scan.name = "合同.pdf"
    base = {
        "code": "HT-001",
        "signed_on": "2026-08-30",
        "period": "fixed_term",
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "pay_unit": "day",
        "unit_price": "380",
        "scan": scan,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def test_the_employer_records_its_workers_contract_and_the_scan_is_stored_encrypted(city, worker, settings):
    answer = city.client("subcontractor").post(path(city, worker), body(), format="multipart")
    assert answer.status_code == 201, answer.content
    assert answer.json()["has_scan"] is True and answer.json()["unit_price"] == 380.0
    contract = LabourContract.objects.get()
    with contract.file.storage.open(contract.file.name, "rb") as stored:  # through the storage: decrypted
        assert stored.read() == PDF
    raw = Path(settings.MEDIA_ROOT, contract.file.name).read_bytes()
    assert not raw.startswith(b"%PDF") and b"endobj" not in raw  # on disk: encrypted
    worker.refresh_from_db()
    assert worker.contract_signed_on == dt.date(2026, 8, 30)
    listed = city.client("haishu").get(path(city, worker)).json()
    assert [c["code"] for c in listed] == ["HT-001"]


def test_every_download_of_the_scan_is_logged(city, worker):
    created = city.client("subcontractor").post(path(city, worker), body(), format="multipart").json()
    scan = city.client("haishu").get(f"{path(city, worker)}{created['id']}/scan")
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF
    assert scan["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(action="download_attachment")
    assert (event.user, event.project_permit_no) == (city.users["haishu"], city.project.permit_no)
    assert city.client("jiangbei").get(f"{path(city, worker)}{created['id']}/scan").status_code == 404
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_on": None}, "ends_on"),  # a fixed term without its end
        ({"ends_on": "2026-08-01"}, "ends_on"),  # ending before it starts
        ({"period": "task"}, "ends_on"),  # a task contract given an end
        ({"period": "forever"}, "period"),
        ({"pay_unit": "hour"}, "pay_unit"),
        ({"unit_price": "0"}, "unit_price"),
        ({"unit_price": "三百八"}, "unit_price"),
        ({"signed_on": "2027-01-01"}, "signed_on"),  # signed in the future
        ({"code": "   "}, "code"),
        ({"signed_on": "yesterday"}, "signed_on"),
    ],
)
def test_a_malformed_contract_is_refused_on_its_field_and_nothing_is_stored(city, worker, fields, field):
    answer = city.client("subcontractor").post(path(city, worker), body(**fields), format="multipart")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert LabourContract.objects.count() == 0


def test_a_scan_that_is_no_pdf_or_photo_is_refused(city, worker):
    page = io.BytesIO(b"<html><script>alert(1)</script></html>")
    page.name = "合同.pdf"
    answer = city.client("subcontractor").post(path(city, worker), body(scan=page), format="multipart")
    assert answer.status_code == 400 and "file" in answer.json()
    assert LabourContract.objects.count() == 0


def test_a_second_contract_with_the_same_number_is_a_conflict(city, worker):
    assert city.client("subcontractor").post(path(city, worker), body(), format="multipart").status_code == 201
    assert city.client("subcontractor").post(path(city, worker), body(), format="multipart").status_code == 409
    assert LabourContract.objects.count() == 1


def test_only_who_registers_the_workers_staff_records_his_contract(city, worker):
    own = engage(city.project, city.contractor, who=person(name="总包员工"))
    assert city.client("subcontractor").post(path(city, own), body(), format="multipart").status_code == 404
    assert city.client("haishu").post(path(city, worker), body(), format="multipart").status_code == 403
    assert city.client("jiangbei").post(path(city, worker), body(), format="multipart").status_code == 404
    assert city.client("contractor").post(path(city, worker), body(), format="multipart").status_code == 201
    assert LabourContract.objects.count() == 1
