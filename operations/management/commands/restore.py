"""manage.py restore BACKUP --database NAME [--media DIR]: a backup into a fresh database, proved
(docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into a new database and an empty media directory, then prove it against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the backup's directory (make backup)")
        parser.add_argument("--database", required=True, help="the new database's name (must not exist)")
        parser.add_argument("--media", type=Path, help="an empty directory for the files (default <backup>-media)")

    def handle(self, *args, backup: Path, database: str, media: Path | None, **options):
        media_root = media or backup.with_name(backup.name + "-media")
        try:
            proof = backup_restore(directory=backup, database=database, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if proof.problems:
            raise CommandError(
                "The restore does not match its backup (it was removed):\n  " + "\n  ".join(proof.problems)
            )
        self.stdout.write(self.style.SUCCESS(f"Restored into database {database}, files into {media_root}"))
        self.stdout.write(f"  {proof.tables} tables, {proof.rows} rows: every count equals the manifest")
        self.stdout.write(
            f"  {proof.id_numbers} ID numbers and {proof.secrets} device secrets decrypt with "
            "the configured keys; every lookup digest recomputes equal"
        )
        self.stdout.write(f"  {proof.files} media files restored and readable")
        current = settings.DATABASES["default"]["NAME"]
        self.stdout.write(
            f"To serve it: DATABASE_URL=…/{database} and SMZ_MEDIA_ROOT={media_root} (the platform now uses {current})."
        )
