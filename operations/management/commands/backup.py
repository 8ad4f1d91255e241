"""manage.py backup [--to DIR]: a consistent backup of the database and the media (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from operations.backup import BackupError, backup_create
from smz_platform.common.audit import audit_event_record
from smz_platform.common.models import AuditAction


class Command(BaseCommand):
    help = "Back up the database (pg_dump in one snapshot) and the media files, with a manifest; keys excluded."

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, help="a new directory (default var/backups/smz-<UTC time>)")

    def handle(self, *args, to: Path | None, **options):
        directory = to or Path(settings.VAR_DIR) / "backups" / dt.datetime.now(dt.UTC).strftime("smz-%Y%m%d-%H%M%S")
        try:
            manifest = backup_create(directory=directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["tables"].values())
        # A backup exports every person's (encrypted) data: logged like every other export.
        audit_event_record(
            user=None,
            username=f"os:{getpass.getuser()}",
            action=AuditAction.EXPORT,
            what=_what(directory),
            record_count=rows,
        )
        self.stdout.write(f"Backup written to {directory}")
        self.stdout.write(f"  {len(manifest['tables'])} tables, {rows} rows (snapshot {manifest['snapshot_at']})")
        self.stdout.write(f"  {manifest['media']['files']} media files, {manifest['media']['bytes']} bytes")
        for name, meta in manifest["files"].items():
            self.stdout.write(f"  {name}: {meta['bytes']} bytes, sha256 {meta['sha256']}")
        self.stdout.write("The keys (SMZ_PII_KEY, SMZ_LOOKUP_KEY) are not in the backup: keep them apart.")


def _what(directory: Path) -> str:
    # The audit log is read in the site's language, not the command's (commands run untranslated).
    with translation.override(settings.LANGUAGE_CODE):
        return _("Backup %(directory)s") % {"directory": directory.name}
