"""Uploaded documents (scans and photos): what may be stored, checked by the file's own bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException

# File signatures of what an attachment may be: a PDF scan or a photo.
MAGIC = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    sha256: str
    size: int

    @property
    def stored_name(self) -> str:
        return f"{self.sha256}.{EXTENSIONS[self.content_type]}"


def file_check(*, content: bytes, field: str = "file", allowed: tuple[str, ...] | None = None) -> CheckedFile:
    """A non-empty file of an allowed type (by default SMZ_ATTACHMENT_TYPES: PDF, JPEG, PNG) under the size
    limit, judged by its first bytes, not its name."""
    allowed = tuple(allowed or settings.SMZ_ATTACHMENT_TYPES)
    if not content:
        raise ValidationError({field: [_("The file is empty.")]})
    if len(content) > settings.SMZ_ATTACHMENT_MAX_BYTES:
        raise ValidationError({field: [_("The file is larger than 10 MiB.")]})
    content_type = next((ct for magic, ct in MAGIC.items() if content.startswith(magic)), None)
    if content_type is None or content_type not in allowed:
        if allowed == ("image/jpeg", "image/png"):
            raise ValidationError({field: [_("Only JPEG and PNG photos are accepted.")]})
        raise ValidationError({field: [_("Only PDF, JPEG and PNG files are accepted.")]})
    return CheckedFile(content_type=content_type, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


def file_store(record, *, content: bytes, allowed: tuple[str, ...] | None = None):
    """Check `content`, fill the record's content_type, size and sha256, write the file under its
    digest to the record's `file` field, then save the record.

    The file is written first: if the row then fails, an orphan file is harmless, a row without its
    file is not."""
    checked = file_check(content=content, allowed=allowed)
    record.content_type, record.size, record.sha256 = checked.content_type, checked.size, checked.sha256
    try:
        record.file.save(checked.stored_name, ContentFile(content), save=False)
    except OSError as exc:  # a full or failed disk: no row, no partial file (the storage writes atomically)
        raise StorageUnavailable() from exc
    record.save()
    return record


def download_name(original: str, content_type: str) -> str:
    """The name a stored file is served under: the uploaded name's stem with the extension of the type its
    bytes were found to be, never the uploaded extension (a PDF-and-HTML polyglot uploaded as 报告.html is
    served as 报告.pdf)."""
    stem = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{stem.strip() or 'file'}.{EXTENSIONS.get(content_type, 'bin')}"


def file_download(record) -> FileResponse:
    """A stored attachment (`file`, `content_type`, `original_name`) as a download: its detected type, the
    name download_name gives it, `Content-Disposition: attachment` (never shown inline) and `nosniff`."""
    response = FileResponse(
        record.file.open("rb"),
        content_type=record.content_type,
        as_attachment=True,
        filename=download_name(record.original_name, record.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class StorageUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("The platform cannot store files now; nothing was stored. Retry later.")
    default_code = "unavailable"
