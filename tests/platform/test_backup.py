"""Backup and restore, drilled (issue 16): the demo city backed up while it is written to, restored
into a fresh database, every ID number decrypting with the operator's key and every count equal to the
manifest; and the ways a restore must refuse."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import threading
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from devices.models import Device
from projects.models import Engagement, Person
from smz_platform.common import pii
from smz_platform.common.models import AuditAction, AuditEvent
from tests.conftest import register_gate
from tests.device_client import SignedDevice
from tests.factories import engage, id_number, person

# Committed, so that pg_dump (another connection) sees it; the migrations' rows are restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RESTORED = "test_smz_restored"
JPEG = b"\xff\xd8\xff\xe0" + b"face-photo-bytes" * 20


def db_args() -> list[str]:
    from django.conf import settings

    db = {**connection.settings_dict, **settings.SMZ_DATABASE_DIRECT}  # PostgreSQL itself, not the pooler
    return ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres"]


def restored_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [RESTORED])
        return cursor.fetchone() is not None


@pytest.fixture
def fresh_target():
    subprocess.run(["dropdb", *db_args(), "--if-exists", RESTORED], check=True)
    yield RESTORED
    subprocess.run(["dropdb", *db_args(), "--if-exists", RESTORED], check=True)


@pytest.fixture
def demo_city(settings, client, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", "--workers-per-project", "3", "--days", "3", stdout=io.StringIO())
    punch_with_a_photo(client, Device.objects.filter(project__status="active").order_by("pk").first())
    return tmp_path


@pytest.fixture
def small_city(settings, city, client, tmp_path):
    """For the refusals, which need a backup of encrypted data and not the demo's size: the suite's small city,
    one worker on its site, his face punch with a photo (the demo city's seed cost each of them ~8 s)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    device = register_gate(city).device
    engage(city.project, city.subcontractor, person(id_number("330203", "19880808", 41), "周志刚"))
    punch_with_a_photo(client, device)
    return tmp_path


def punch_with_a_photo(client, device: Device) -> None:
    """A worker engaged on the device's site punches with a face photo; someone unknown punches too."""
    engaged = Engagement.objects.filter(project=device.project, exited_on__isnull=True).first()
    gate = SignedDevice(client=client, serial=device.serial, secret=device.secret().decode())
    photo = base64.b64encode(JPEG).decode()
    answer = gate.punches(
        [
            {
                "record_id": "BACKUP-1",
                "id_number": engaged.person.reveal_id_number(),
                "punched_at": timezone.now().isoformat(),
                "direction": "in",
                "method": "face",
                "liveness": True,
                "match_score": 0.93,
                "photo": photo,
            },
            # Someone the platform does not know: the punch keeps the encrypted number itself.
            {
                "record_id": "BACKUP-2",
                "id_number": "11010519491231002X",
                "punched_at": timezone.now().isoformat(),
                "direction": "in",
                "method": "face",
                "liveness": True,
                "match_score": 0.91,
            },
        ]
    )
    assert answer.status_code == 200 and answer.json()["accepted"] == 2


def backup(tmp_path: Path, name: str = "backup") -> tuple[Path, str]:
    out = io.StringIO()
    call_command("backup", "--to", str(tmp_path / name), stdout=out)
    return tmp_path / name, out.getvalue()


def test_the_demo_city_backed_up_under_writes_restores_into_a_fresh_database_and_proves_itself(
    settings, demo_city, fresh_target
):
    numbers = {p.pk: p.reveal_id_number() for p in Person.objects.all()}
    media = {
        p.relative_to(settings.MEDIA_ROOT): p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
    }
    assert len(numbers) > 100 and media

    # Someone keeps writing while the backup runs: the dump and the manifest's counts still agree.
    stop, written = threading.Event(), []

    def write() -> None:
        try:
            while not stop.is_set():
                AuditEvent.objects.create(
                    at=timezone.now(), username="busy", action=AuditAction.EXPORT, what="während", record_count=1
                )
                written.append(1)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        directory, printed = backup(demo_city)
    finally:
        stop.set()
        writer.join()
    assert len(written) > 10
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert "Backup written to" in printed and "not in the backup" in printed
    assert manifest["tables"]["projects_person"] == len(numbers)
    assert manifest["media"]["files"] == len(media) and manifest["keys_included"] is False
    # The keys are the operator's: no key is anywhere in the backup.
    blobs = b"".join(p.read_bytes() for p in directory.iterdir())
    for key in [*settings.SMZ_PII_KEYS, settings.SMZ_LOOKUP_KEY]:
        if key:
            assert key.encode() not in blobs
    # The backup itself is logged like every export.
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, what__startswith="备份 ", record_count=sum(manifest["tables"].values())
    ).exists()

    out = io.StringIO()
    call_command(
        "restore", str(directory), "--database", fresh_target, "--media", str(demo_city / "restored-media"), stdout=out
    )
    assert "every count equals the manifest" in out.getvalue()

    # Checked again here, independently of the command's own proof.
    host, port, user = db_args()[1::2]
    with closing(psycopg2.connect(dbname=fresh_target, host=host, port=port, user=user)) as db, db.cursor() as cursor:
        for table, rows in manifest["tables"].items():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            assert cursor.fetchone()[0] == rows, table
        cursor.execute("SELECT id, id_number_encrypted FROM projects_person")
        restored = {pk: pii.decrypt(token) for pk, token in cursor.fetchall()}
        cursor.execute("SELECT id_number_encrypted FROM attendance_punch WHERE record_id = 'BACKUP-2'")
        assert pii.decrypt(cursor.fetchone()[0]) == "11010519491231002X"
    assert restored == numbers
    back = {
        p.relative_to(demo_city / "restored-media"): p.read_bytes()
        for p in (demo_city / "restored-media").rglob("*")
        if p.is_file()
    }
    assert back == media
    assert JPEG in [pii.file_decrypt(content) for content in back.values()]


def test_a_restore_under_other_keys_fails_its_proof_and_leaves_nothing(settings, small_city, fresh_target):
    directory, _ = backup(small_city)
    settings.SMZ_PII_KEYS = [Fernet.generate_key().decode()]  # not the key the data was written under
    target = small_city / "restored-media"
    with pytest.raises(CommandError) as refused:
        call_command(
            "restore", str(directory), "--database", fresh_target, "--media", str(target), stdout=io.StringIO()
        )
    assert "do not decrypt" in str(refused.value) and "it was removed" in str(refused.value)
    assert not restored_exists() and not target.exists()


def test_a_damaged_backup_is_refused_before_anything_is_restored(small_city, fresh_target):
    directory, _ = backup(small_city)
    dump = directory / "database.dump"
    raw = bytearray(dump.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    dump.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="database.dump does not match its checksum"):
        call_command("restore", str(directory), "--database", fresh_target, stdout=io.StringIO())
    assert not restored_exists()


def test_a_restore_never_goes_over_an_existing_database_or_into_a_used_directory(small_city, fresh_target):
    directory, _ = backup(small_city)
    with pytest.raises(CommandError, match="fresh database"):
        call_command("restore", str(directory), "--database", connection.settings_dict["NAME"], stdout=io.StringIO())
    used = small_city / "used"
    used.mkdir()
    (used / "keep.txt").write_text("an operator's file")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(directory), "--database", fresh_target, "--media", str(used), stdout=io.StringIO())
    assert (used / "keep.txt").read_text() == "an operator's file" and not restored_exists()
    with pytest.raises(CommandError, match="letters, digits"):
        call_command("restore", str(directory), "--database", "x; DROP DATABASE smz", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(small_city), "--database", fresh_target, stdout=io.StringIO())


def test_a_backup_never_writes_into_an_existing_directory(small_city):
    (small_city / "there").mkdir()
    (small_city / "there" / "old").write_text("kept")
    with pytest.raises(CommandError, match="new directory"):
        call_command("backup", "--to", str(small_city / "there"), stdout=io.StringIO())
    assert [p.name for p in (small_city / "there").iterdir()] == ["old"]
