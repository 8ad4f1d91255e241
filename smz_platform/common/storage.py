"""Every file the platform stores is encrypted at rest (PIPL): status-request scans, inspection photos,
measure documents, generated workbooks and punch photos all go through this storage.

Files are written as `SMZENC1\\n` + a Fernet token under the `file` subkey (smz_platform.common.pii)
and read back decrypted; a file from before (no header) is read as it is until `manage.py
pii_reencrypt` encrypts it. Names, sizes and digests stay in the database rows, never in the files.
"""

from __future__ import annotations

import os
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from smz_platform.common import pii


class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        """Written whole to a temporary file beside it, then linked into place: a full disk or a crash
        leaves no partial file under the real name (a content-addressed photo would look stored)."""
        if hasattr(content, "seek"):
            content.seek(0)
        stored = pii.file_encrypt(content.read())
        while True:
            full_path = self.path(name)
            os.makedirs(os.path.dirname(full_path), exist_ok=True)
            temporary = f"{full_path}.part-{secrets.token_hex(6)}"
            try:
                with open(temporary, "wb") as handle:
                    handle.write(stored)
                    handle.flush()
                    os.fsync(handle.fileno())
                try:
                    os.link(temporary, full_path)  # never over an existing file (as O_EXCL)
                except FileExistsError:
                    name = self.get_available_name(name)
                    continue
            finally:
                if os.path.exists(temporary):
                    os.remove(temporary)
            return str(name).replace("\\", "/")

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Stored files are written through save(), never opened for writing.")
        with super()._open(name, "rb") as handle:
            stored = handle.read()
        return ContentFile(pii.file_decrypt(stored), name=name)

    def size(self, name):
        """The clear size (what a download's Content-Length must say)."""
        with self.open(name) as handle:
            return len(handle.read())

    def read_raw(self, name) -> bytes:
        """The bytes as they are on disk (pii_reencrypt, the at-rest test)."""
        with super()._open(name, "rb") as handle:
            return handle.read()

    def write_raw(self, name, stored: bytes) -> None:
        """Replace a file's bytes in place, atomically (pii_reencrypt)."""
        path = self.path(name)
        temporary = f"{path}.reencrypt"
        with open(temporary, "wb") as handle:
            handle.write(stored)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
