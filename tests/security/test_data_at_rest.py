"""What an operator's backup holds (issue 14): a pg_dump of the demo database and every file under the
media root carry no ID number and no face photo in clear."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from stdnum.cn import ric

from devices.models import Device
from projects.models import Engagement, Enterprise, Person, Project
from tests.device_client import SignedDevice

# Committed, so that pg_dump (another connection) sees it; the migrations' rows are restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JPEG = b"\xff\xd8\xff\xe0" + b"face-photo-bytes" * 20
MAGIC = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"]


def pg_dump() -> str:
    from django.conf import settings

    db = {**connection.settings_dict, **settings.SMZ_DATABASE_DIRECT}  # PostgreSQL itself, not the pooler
    result = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"] or "postgres",
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_the_demo_databases_dump_and_the_media_hold_no_id_number_or_face_in_clear(settings, client, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", "--workers-per-project", "3", "--days", "3", stdout=io.StringIO())
    # A punch with a face photo, as a device sends it, so that the media root holds one.

    device = Device.objects.filter(project__status="active").order_by("pk").first()
    engaged = Engagement.objects.filter(project=device.project, exited_on__isnull=True).first()
    gate = SignedDevice(client=client, serial=device.serial, secret=device.secret().decode())
    answer = gate.punches(
        [
            {
                "record_id": "DUMP-1",
                "id_number": engaged.person.reveal_id_number(),
                "punched_at": timezone.now().isoformat(),
                "direction": "in",
                "method": "face",
                "liveness": True,
                "match_score": 0.93,
                "photo": base64.b64encode(JPEG).decode(),
            }
        ]
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == 1

    numbers = {p.reveal_id_number() for p in Person.objects.all()}
    assert len(numbers) > 100
    dump = pg_dump()
    assert "projects_person" in dump and len(dump) > 100_000
    assert not [n for n in numbers if n in dump]
    # Nor any other valid resident ID number (a digit run that passes GB 11643 with a real birth date).
    not_people = set(Project.objects.values_list("permit_no", flat=True)) | set(
        Enterprise.objects.values_list("uscc", flat=True)
    )
    candidates = set(re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", dump)) - not_people
    assert not [c for c in candidates if ric.is_valid(c)]
    # No birth date beside a masked number could rebuild one: the people's table keeps the year only.
    assert "birth_date" not in dump
    # Bank and card columns: the ID card read at entry (R17: when it was read, until when it was valid),
    # and the wages' (issue 27): a worker's bank card only encrypted and masked, the bank's name, and what
    # the bank's result said. A new clear column of a card or account number would show here.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND (column_name ILIKE '%bank%' OR column_name ILIKE '%card%')"
        )
        assert sorted(cursor.fetchall()) == [
            ("inspections_policy", "card_verified_entry"),
            ("projects_engagement", "card_check_received_at"),
            ("projects_engagement", "card_checked_at"),
            ("projects_engagement", "card_valid_until"),
            ("wages_wageaccount", "bank"),
            ("wages_wageline", "bank_amount"),
            ("wages_wageline", "bank_paid_on"),
            ("wages_wageline", "bank_result_at"),
            ("wages_wageline", "bank_status"),
            ("wages_wageline", "card_encrypted"),
            ("wages_wageline", "card_masked"),
        ]

    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert files
    for path in files:
        raw = path.read_bytes()
        assert not any(raw.startswith(magic) for magic in MAGIC) and JPEG not in raw, path
        assert not [n for n in numbers if n.encode() in raw], path
