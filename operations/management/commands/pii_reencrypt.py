"""manage.py pii_reencrypt: everything encrypted moves under the first SMZ_PII_KEY (docs/security.md).

Steps, in batches, each batch in its own transaction, progress kept in KeyRotationProgress so that a
stopped run resumes where it stopped:

1. every encrypted column (found by its type, smz_platform/common/fields.py: people's and unregistered
   punches' ID numbers, device signing secrets…), one step each — each token re-encrypted under the
   first key's subkey of its purpose (MultiFernet.rotate);
2. every file under the media root — encrypted under the first key's file subkey, including files
   stored before files were encrypted;
3. with --rehash: every lookup digest recomputed under SMZ_LOOKUP_KEY (run it with the web and the
   workers stopped: until it ends, the intake would not find the people whose digests are old).

After a run that ends, the keys after the first in SMZ_PII_KEY may be removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from attendance.models import Punch
from projects.models import Person
from smz_platform.common import pii
from smz_platform.common.fields import encrypted_columns
from smz_platform.common.models import KeyRotationProgress


class Command(BaseCommand):
    help = "Re-encrypt ID numbers, device secrets and stored files under the first SMZ_PII_KEY (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="rows a transaction (default 1000)")
        parser.add_argument("--rehash", action="store_true", help="also recompute lookup digests (SMZ_LOOKUP_KEY)")
        parser.add_argument("--restart", action="store_true", help="forget the progress of an earlier run")

    def handle(self, *args, batch: int, rehash: bool, restart: bool, **options):
        if not 1 <= batch <= 100_000:
            raise CommandError("--batch must be between 1 and 100000.")
        if restart:
            KeyRotationProgress.objects.all().delete()
        for column in encrypted_columns():
            self._tokens(column.label, column.model, column.field.name, column.field.purpose, batch)
        self._files(batch)
        if rehash:
            self._rehash(batch)
        self.stdout.write(self.style.SUCCESS("Everything is under the first key."))

    # --- tokens in rows ---------------------------------------------------------------------------

    def _progress(self, step: str) -> KeyRotationProgress | None:
        progress, _ = KeyRotationProgress.objects.get_or_create(step=step)
        if progress.finished_at is not None:
            self.stdout.write(f"{step}: done already ({progress.done} rows; --restart to run it again)")
            return None
        return progress

    def _tokens(self, step: str, model, field: str, purpose: str, batch: int) -> None:
        progress = self._progress(step)
        if progress is None:
            return
        remaining = model.objects.filter(pk__gt=progress.last_id).exclude(**{field: ""}).count()
        self.stdout.write(f"{step}: {remaining} to re-encrypt after id {progress.last_id}")
        while True:
            rows = list(
                model.objects.filter(pk__gt=progress.last_id)
                .exclude(**{field: ""})
                .order_by("pk")
                .values_list("pk", field)[:batch]
            )
            if not rows:
                break
            with transaction.atomic():
                for pk, token in rows:
                    model.objects.filter(pk=pk).update(**{field: pii.rotate(token, purpose)})
                progress.last_id, progress.done = rows[-1][0], progress.done + len(rows)
                progress.save(update_fields=["last_id", "done", "updated_at"])
            self.stdout.write(f"  {step}: {progress.done} re-encrypted (to id {progress.last_id})")
        progress.finished_at = timezone.now()
        progress.save(update_fields=["finished_at", "updated_at"])

    # --- files ------------------------------------------------------------------------------------

    def _names(self) -> Iterator[str]:
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            return
        for directory, subdirectories, files in os.walk(root):
            subdirectories.sort()
            for name in sorted(files):
                if not name.endswith(".reencrypt"):
                    yield str((Path(directory) / name).relative_to(root))

    def _files(self, batch: int) -> None:
        progress = self._progress("files")
        if progress is None:
            return
        storage = default_storage
        if not hasattr(storage, "read_raw"):
            raise CommandError("The default storage is not the platform's encrypted storage (settings STORAGES).")
        count = 0
        for name in self._names():
            if progress.last_name and name <= progress.last_name:
                continue
            stored = storage.read_raw(name)
            if not pii.file_is_current(stored):
                storage.write_raw(name, pii.file_encrypt(pii.file_decrypt(stored)))
            count += 1
            progress.last_name, progress.done = name, progress.done + 1
            if count % batch == 0:
                progress.save(update_fields=["last_name", "done", "updated_at"])
                self.stdout.write(f"  files: {progress.done} encrypted under the first key")
        progress.finished_at = timezone.now()
        progress.save(update_fields=["last_name", "done", "finished_at", "updated_at"])
        self.stdout.write(f"files: {progress.done} under the first key")

    # --- lookup digests ---------------------------------------------------------------------------

    def _rehash(self, batch: int) -> None:
        progress = self._progress("digests")
        if progress is None:
            return
        while True:
            people = list(
                Person.objects.filter(pk__gt=progress.last_id)
                .order_by("pk")
                .values_list("pk", "id_number_encrypted")[:batch]
            )
            if not people:
                break
            with transaction.atomic():
                ids = [pk for pk, _token in people]
                old = dict(Person.objects.filter(pk__in=ids).values_list("pk", "id_number_digest"))
                new = {pk: pii.lookup_digest(pii.decrypt(token)) for pk, token in people}
                for pk, digest in new.items():
                    Person.objects.filter(pk=pk).update(id_number_digest=digest)
                # Every punch of these numbers (linked or not) moves to the new digest: one statement a
                # batch, found by the digest index.
                moved = Case(
                    *(When(id_number_digest=old[pk], then=Value(new[pk])) for pk in ids if old.get(pk)),
                    default=F("id_number_digest"),
                )
                Punch.objects.filter(id_number_digest__in=[d for d in old.values() if d]).update(id_number_digest=moved)
                progress.last_id, progress.done = people[-1][0], progress.done + len(people)
                progress.save(update_fields=["last_id", "done", "updated_at"])
            self.stdout.write(f"  digests: {progress.done} people")
        unregistered = Punch.objects.filter(person__isnull=True).exclude(id_number_encrypted="")
        for pk, token in unregistered.values_list("pk", "id_number_encrypted").iterator(chunk_size=batch):
            Punch.objects.filter(pk=pk).update(id_number_digest=pii.lookup_digest(pii.decrypt(token)))
        progress.finished_at = timezone.now()
        progress.save(update_fields=["finished_at", "updated_at"])
        self.stdout.write(f"digests: {progress.done} people and their punches under SMZ_LOOKUP_KEY")
