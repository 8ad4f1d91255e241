"""manage.py collectstatic_if_changed: collectstatic, unless what it would collect is what it collected last.

Under the production settings collectstatic hashes every file and compresses it twice (whitenoise: gzip and
brotli), about 30 s of both cores here whatever changed; the benchmarks and the two-node test each collect before
they start a production-like server, five times in a `make test`. The files the static finders find (their paths,
sizes and times) and the storage that collects them make a key kept beside the collected files; the same key, and
the manifest still there, and nothing is done. Two at once (the two-node test beside a benchmark, two nodes
started together on one volume) take turns on a lock beside the collected files: the second finds the first's
collection and does nothing, where both would have written the same files at once.
"""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

STAMP = ".collected"
LOCK = ".collecting"


def static_key() -> str:
    """What collectstatic would collect now, and how."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    found = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=["CVS", ".*", "*~"]):
            stat = Path(storage.path(path)).stat()
            found.append(f"{getattr(storage, 'prefix', '') or ''}/{path} {stat.st_size} {stat.st_mtime_ns}")
    for line in sorted(found):
        digest.update(line.encode())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "collectstatic, unless the static files and the storage are those of the last collection"

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.STATIC_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        with open(root / LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
            self._collect(root)

    def _collect(self, root: Path) -> None:
        stamp, key = root / STAMP, static_key()
        manifest = root / "staticfiles.json"
        needs_manifest = "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]
        if stamp.exists() and stamp.read_text() == key and (manifest.exists() or not needs_manifest):
            self.stdout.write("the static files are collected already")
            return
        stamp.unlink(missing_ok=True)  # a collection that fails half-way leaves no stamp
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(key)
        self.stdout.write("the static files collected")
