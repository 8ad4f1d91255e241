"""Backups and their restore (issue 16; docs/operations.md).

A backup is a directory:

- `database.dump`: `pg_dump --format=custom` taken inside an exported snapshot, so that the dump and
  the row counts of the manifest see the same instant however busy the platform is;
- `media.tar`: every file under the media root (photos and attachments, already encrypted by the
  storage; a tar, not compressed: ciphertext does not shrink);
- `manifest.json`: when, from which database and schema version, the rows of every table, the files'
  sizes and SHA-256, and the *fingerprints* of the keys the data was written under.

The keys (SMZ_PII_KEY, SMZ_LOOKUP_KEY) are the operator's and are never in a backup: a stolen backup
holds ciphertext and keyed digests only. A fingerprint is an HMAC of a fixed text under a key derived
from the key (HKDF, its own `info`), from which the key cannot be recovered.

Restore goes into a *fresh* database (never over a live one): checksums first, then `pg_restore`, the
media files, and a proof: every table's rows equal the manifest's, every ID number and device secret
decrypts with the configured keys, every person's lookup digest is recomputed equal (the intake finds
people through it), every stored file decrypts. A restore that fails its proof drops what it created.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tarfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection

from smz_platform.common import pii
from smz_platform.common.fields import encrypted_columns

FORMAT = 1
DUMP, MEDIA, MANIFEST = "database.dump", "media.tar", "manifest.json"

# Every ordinary or partitioned table of the schema, partitions counted through their parent.
TABLES_SQL = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname"
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Proof:
    """What a restore proved, or found wrong."""

    tables: int = 0
    rows: int = 0
    id_numbers: int = 0
    secrets: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


# --- helpers -----------------------------------------------------------------------------------------


def _database() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "Backups need PostgreSQL (DATABASE_URL=postgres://…); with the embedded SQLite default, copy "
            "var/db.sqlite3 and var/media while the platform is stopped."
        )
    # pg_dump and pg_restore go to PostgreSQL itself, never through a transaction pooler.
    return {**db, **settings.SMZ_DATABASE_DIRECT}


def _client_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _client_args(db: dict) -> list[str]:
    return ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]


def _connect(db: dict, name: str):
    return psycopg2.connect(
        dbname=name,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fingerprint(key: bytes) -> str:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"smz-platform backup fingerprint")
    return hmac.new(derived.derive(key), b"smz-platform key check", hashlib.sha256).hexdigest()[:16]


def key_fingerprints() -> dict:
    """Fingerprints of the configured keys: the encryption keys in order, and the lookup key."""
    encryption = [_fingerprint(base64.urlsafe_b64decode(key.encode())) for key in settings.SMZ_PII_KEYS]
    lookup = settings.SMZ_LOOKUP_KEY
    return {
        "pii": encryption,
        "lookup": _fingerprint(base64.urlsafe_b64decode(lookup.encode())) if lookup else "derived from SMZ_PII_KEY",
    }


def _counts(cursor) -> dict[str, int]:
    cursor.execute(TABLES_SQL)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and ".part-" not in p.name)


# --- backup ------------------------------------------------------------------------------------------


def backup_create(*, directory: Path) -> dict:
    """Write a backup into `directory` (created; must not exist) and return its manifest."""
    db = _database()
    if directory.exists():
        raise BackupError(f"{directory} exists already: a backup goes into a new directory.")
    directory.mkdir(parents=True)
    try:
        return _backup(db, directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)  # no half-written backup is left to be trusted
        raise


def _backup(db: dict, directory: Path) -> dict:
    # One repeatable-read transaction exports its snapshot; pg_dump runs inside that snapshot while the
    # transaction stays open, and the counts are taken in it too: dump and manifest see the same instant.
    with closing(_connect(db, db["NAME"])) as snap:
        snap.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with snap.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version'), now()")
            snapshot, server_version, taken_at = cursor.fetchone()
            cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
            migrations = dict(cursor.fetchall())
            dumped = subprocess.run(
                [
                    "pg_dump",
                    *_client_args(db),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={directory / DUMP}",
                    db["NAME"],
                ],
                env=_client_env(db),
                capture_output=True,
                text=True,
            )
            if dumped.returncode != 0:
                raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
            counts = _counts(cursor)
        snap.rollback()
    root = Path(settings.MEDIA_ROOT)
    files = _media_files(root)
    with tarfile.open(directory / MEDIA, "w") as archive:
        for path in files:
            archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "snapshot_at": taken_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "database": db["NAME"],
        "server_version": server_version,
        "migrations": migrations,
        "tables": counts,
        "media": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
        "files": {
            name: {"bytes": (directory / name).stat().st_size, "sha256": sha256(directory / name)}
            for name in (DUMP, MEDIA)
        },
        "keys": key_fingerprints(),
        "keys_included": False,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


# --- restore -----------------------------------------------------------------------------------------


def manifest_read(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup manifest of format {FORMAT}.")
    return manifest


def backup_verify(directory: Path) -> dict:
    """The manifest, once every file's size and SHA-256 match it."""
    manifest = manifest_read(directory)
    for name, expected in manifest.get("files", {}).items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup.")
        if path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum in the manifest: the backup is damaged.")
    return manifest


def backup_restore(*, directory: Path, database: str, media_root: Path) -> Proof:
    """Restore the backup into the new database `database` and the empty directory `media_root`, then
    prove it (Proof). When the proof fails, the database and the files it restored are removed."""
    db = _database()
    manifest = backup_verify(directory)
    if not database.replace("_", "").isalnum() or len(database) > 63:
        raise BackupError("The target database name may hold letters, digits and _ only (at most 63).")
    if database == db["NAME"]:
        raise BackupError("Restore goes into a fresh database, not over the one the platform uses.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone():
            raise BackupError(f"Database {database} exists already: restore goes into a fresh database.")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: the files are restored into an empty directory.")
    made_media = not media_root.exists()
    created = subprocess.run(
        ["createdb", *_client_args(db), database], env=_client_env(db), capture_output=True, text=True
    )
    if created.returncode != 0:
        raise BackupError(f"createdb failed: {created.stderr.strip()}")
    try:
        restored = subprocess.run(
            [
                "pg_restore",
                *_client_args(db),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={database}",
                str(directory / DUMP),
            ],
            env=_client_env(db),
            capture_output=True,
            text=True,
        )
        if restored.returncode != 0:
            raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(directory / MEDIA) as archive:
            archive.extractall(media_root, filter="data")  # no absolute paths, links or devices
        proof = restore_prove(manifest=manifest, database=database, media_root=media_root)
    except BaseException:
        _undo(db, database, media_root, made_media)
        raise
    if proof.problems:
        _undo(db, database, media_root, made_media)
    return proof


def _undo(db: dict, database: str, media_root: Path, made_media: bool) -> None:
    subprocess.run(["dropdb", *_client_args(db), "--if-exists", database], env=_client_env(db), capture_output=True)
    if made_media:
        shutil.rmtree(media_root, ignore_errors=True)
    else:
        for child in media_root.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def restore_prove(*, manifest: dict, database: str, media_root: Path) -> Proof:
    """Counts against the manifest; every token decrypts; every digest recomputes; every file decrypts."""
    proof = Proof()
    with closing(_connect(_database(), database)) as restored, restored.cursor() as cursor:
        counts = _counts(cursor)
        expected = manifest["tables"]
        for table in sorted(set(counts) | set(expected)):
            if counts.get(table) != expected.get(table):
                proof.problems.append(
                    f"table {table}: {counts.get(table)} rows, the manifest says {expected.get(table)}"
                )
        proof.tables, proof.rows = len(counts), sum(counts.values())
        _prove_tokens(restored, proof, manifest)
    files = _media_files(media_root)
    if len(files) != manifest["media"]["files"]:
        proof.problems.append(f"{len(files)} media files restored, the manifest says {manifest['media']['files']}")
    failed = 0
    for path in files:
        stored = path.read_bytes()
        try:
            pii.file_decrypt(stored)
        except pii.InvalidToken:
            failed += 1
            continue
        proof.files += 1
    if failed:
        proof.problems.append(f"{failed} media files do not decrypt with the configured SMZ_PII_KEY")
    return proof


def _rows(restored, sql: str):
    with restored.cursor(name="proof") as cursor:  # server-side: a city's punches need not fit in memory
        cursor.itersize = 5000
        cursor.execute(sql)
        yield from cursor


def _tally(rows, opens) -> tuple[int, int]:
    """(opened, failed) over the rows: a row fails when `opens(row)` is False or raises InvalidToken."""
    opened = failed = 0
    for row in rows:
        try:
            ok = opens(row)
        except pii.InvalidToken:
            ok = False
        opened, failed = (opened + 1, failed) if ok else (opened, failed + 1)
    return opened, failed


def _opens_as(purpose: str):
    def opens(row) -> bool:
        pii.decrypt_as(row[0], purpose)  # raises InvalidToken when it does not open
        return True

    return opens


def _digest_matches(row) -> bool:
    token, digest = row
    # The intake finds people through the digest, with the configured SMZ_LOOKUP_KEY.
    return pii.lookup_digest(pii.decrypt(token)) == digest


def _prove_tokens(restored, proof: Proof, manifest: dict) -> None:
    """Every encrypted column (found by its type) decrypts with the configured keys; people's lookup
    digests match their numbers."""
    keys = f"(the backup's key fingerprints: {manifest.get('keys')}; the configured ones: {key_fingerprints()})"
    for column in encrypted_columns():
        purpose = column.field.purpose
        tokens = _rows(restored, f'SELECT "{column.column}" FROM "{column.table}" WHERE "{column.column}" <> \'\'')
        opened, failed = _tally(tokens, _opens_as(purpose))
        if purpose == pii.DEVICE_SECRET:
            proof.secrets += opened
        else:
            proof.id_numbers += opened
        if failed:
            proof.problems.append(f"{column.label}: {failed} values do not decrypt {keys}")
    people = _rows(restored, "SELECT id_number_encrypted, id_number_digest FROM projects_person")
    _matched, failed = _tally(people, _digest_matches)
    if failed:
        proof.problems.append(
            f"{failed} people's lookup digests differ from their numbers with the configured SMZ_LOOKUP_KEY {keys}"
        )
