"""Keys and files at rest (issue 14): every stored file encrypted, uploads refused while they stream
past the limit, one subkey per purpose, lookup digests apart from the encryption keys, and
`pii_reencrypt` moving everything under a new first key, resumably."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.core.management import call_command
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from devices.models import Device
from projects.api.views import StatusRequestAttachmentApi
from projects.models import Person
from projects.services.accounts import token_issue
from projects.services.status import status_request_submit
from smz_platform.common import pii
from smz_platform.common.fields import encrypted_columns
from smz_platform.common.models import KeyRotationProgress
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"face-photo-bytes" * 20
NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()


def media_files(settings) -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def nov_25():
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=SH), tick=False):
        yield


def test_every_stored_file_is_encrypted_and_reads_back(city, gate, settings, nov_25, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # this test's files only
    worker = engage_worker(city)
    request = status_request_submit(
        user=city.users["contractor"],
        project=city.project,
        kind="suspension",
        reason="停工",
        effective_from=dt.date(2026, 11, 25),
    )
    client = city.client("contractor")
    uploaded = client.post(
        f"/api/v1/status-requests/{request.pk}/attachments/",
        {"kind": "form_scan", "file": SimpleUploadedFile("表.pdf", PDF, "application/pdf")},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    punch = {
        "record_id": "F-1",
        "id_number": worker,
        "punched_at": "2026-11-25T08:00:00+08:00",
        "direction": "in",
        "method": "face",
        "liveness": True,
        "match_score": 0.93,
        "photo": base64.b64encode(JPEG).decode(),
    }
    assert gate.punches([punch]).json()["accepted"] == 1
    stored = media_files(settings)
    assert len(stored) == 2
    for name, raw in stored.items():
        assert raw.startswith(pii.FILE_HEADER), name
        assert PDF not in raw and JPEG not in raw and b"%PDF" not in raw and b"\xff\xd8\xff" not in raw
    attachment = uploaded.json()["id"]
    download = client.get(f"/api/v1/status-requests/{request.pk}/attachments/{attachment}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def engage_worker(city) -> str:
    number = id_number("330203", "19900101", 51)
    engage(city.project, city.contractor, person(number, "张工"))
    return number


def test_an_oversized_upload_is_refused_as_it_streams_in(city, nov_25):
    """30 MiB sent: parsing stops once the file passes 10 MiB, with a 413 naming the problem."""
    request = status_request_submit(
        user=city.users["contractor"],
        project=city.project,
        kind="suspension",
        reason="停工",
        effective_from=dt.date(2026, 11, 25),
    )
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (30 * 1024 * 1024), "application/pdf")
    body = encode_multipart(BOUNDARY, {"kind": "form_scan", "file": big})
    stream = io.BytesIO(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/api/v1/status-requests/{request.pk}/attachments/",
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": stream,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_AUTHORIZATION": f"Token {token_issue(user=city.users['contractor'])}",
    }
    response = StatusRequestAttachmentApi.as_view()(WSGIRequest(environ), request_id=request.pk)
    response.render()
    assert response.status_code == 413 and "10 MiB" in response.content.decode()
    assert stream.tell() < 12 * 1024 * 1024  # stopped near the limit, not read to its end
    assert not request.attachments.exists()


def test_each_purpose_has_its_own_subkey_and_digests_their_own_key(settings):
    number = id_number("330203", "19900101", 61)
    id_token, secret_token = pii.encrypt(number), pii.secret_encrypt("device-secret")
    with pytest.raises(InvalidToken):
        pii.secret_decrypt(id_token)  # an ID number's token never opens as a device secret
    with pytest.raises(InvalidToken):
        pii.decrypt(secret_token)
    with pytest.raises(InvalidToken):
        Fernet(settings.SMZ_PII_KEYS[0].encode()).decrypt(id_token.encode())  # not under the bare key
    digest = pii.lookup_digest(number)
    settings.SMZ_PII_KEYS = [NEW_KEY]  # every encryption key replaced: the lookups still find the number
    assert pii.lookup_digest(number) == digest


def test_pii_reencrypt_moves_everything_under_the_new_first_key_and_resumes(city, gate, settings, nov_25, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    people = [person(id_number("330203", "19900101", 70 + n), f"工人{n}") for n in range(3)]
    legacy_bare = Fernet(settings.SMZ_PII_KEYS[0].encode()).encrypt(b"330203199001010779").decode()
    Person.objects.filter(pk=people[0].pk).update(id_number_encrypted=legacy_bare)  # written before subkeys
    photos = Path(settings.MEDIA_ROOT) / "inspections" / "old.png"
    photos.parent.mkdir(parents=True, exist_ok=True)
    photos.write_bytes(b"\x89PNG\r\n\x1a\n" + b"old-clear-photo")  # a file stored before files were encrypted
    old_keys = list(settings.SMZ_PII_KEYS)
    settings.SMZ_PII_KEYS = [NEW_KEY, *old_keys]
    # A run that stopped after the second person: resuming leaves the first as it was.
    KeyRotationProgress.objects.create(step="projects.person.id_number_encrypted", last_id=people[1].pk, done=2)
    out = io.StringIO()
    call_command("pii_reencrypt", "--batch", "1", stdout=out)
    assert "Everything is under the first key." in out.getvalue()
    settings.SMZ_PII_KEYS = [NEW_KEY]  # the old keys retired
    assert Person.objects.get(pk=people[2].pk).reveal_id_number() == id_number("330203", "19900101", 72)
    with pytest.raises(InvalidToken):
        Person.objects.get(pk=people[0].pk).reveal_id_number()  # skipped by the resumed run, as it said
    assert Device.objects.get(serial=gate.serial).secret() == gate.secret.encode()  # under the new key
    assert gate.heartbeat().status_code == 200  # and the device still signs
    raw = photos.read_bytes()
    assert raw.startswith(pii.FILE_HEADER) and b"old-clear-photo" not in raw
    settings.SMZ_PII_KEYS = [NEW_KEY, *old_keys]
    again = io.StringIO()
    call_command("pii_reencrypt", "--restart", stdout=again)  # the whole run again, from the start
    settings.SMZ_PII_KEYS = [NEW_KEY]
    assert Person.objects.get(pk=people[0].pk).reveal_id_number() == "330203199001010779"


def test_every_encrypted_column_is_found_by_its_type():
    """Key rotation and the backup's proof rotate and prove what encrypted_columns finds: the ID numbers
    of people and of unregistered punches, the devices' signing secrets, the wage special accounts' and
    the workers' bank numbers, the workers' and named complainants' phones, the upward receivers' app secrets,
    each with its subkey."""
    found = {column.label: column.field.purpose for column in encrypted_columns()}
    assert found == {
        "attendance.punch.id_number_encrypted": pii.ID_NUMBER,
        "devices.device.secret_encrypted": pii.DEVICE_SECRET,
        "devices.vendorplatform.secret_encrypted": pii.DEVICE_SECRET,
        "projects.person.id_number_encrypted": pii.ID_NUMBER,
        "projects.engagement.phone_encrypted": pii.PHONE,
        "rights.complaint.phone_encrypted": pii.PHONE,
        "wages.wageaccount.number_encrypted": pii.BANK_ACCOUNT,
        "wages.wageline.card_encrypted": pii.BANK_ACCOUNT,
        "upward.receiver.secret_encrypted": pii.RECEIVER_SECRET,
        "upward.projectcredential.secret_encrypted": pii.RECEIVER_SECRET,
    }
