"""Punch photos: content-addressed by SHA-256, encrypted at rest by the platform's storage (as every
stored file is: smz_platform.common.storage), never served publicly."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def photo_path(sha256: str) -> str:
    return f"punch-photos/{sha256[:2]}/{sha256[2:4]}/{sha256}.fernet"


class PhotoStorageUnavailable(Exception):
    """The photo could not be written (a full or failed disk): the batch is refused, nothing stored."""


def photo_store(*, sha256: str, content: bytes) -> str:
    """Store the photo once per content; a second punch with the same photo (R07) reuses the file."""
    path = photo_path(sha256)
    try:
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(content))
    except OSError as exc:
        raise PhotoStorageUnavailable(str(exc)) from exc
    return path


def photo_read(sha256: str) -> bytes:
    with default_storage.open(photo_path(sha256), "rb") as handle:
        return handle.read()
