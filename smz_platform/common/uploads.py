"""Uploads are refused as soon as they pass the size limit, while they stream in: a file larger than
SMZ_ATTACHMENT_MAX_BYTES stops the request's parsing at that byte (413), never read whole first."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The file is larger than 10 MiB.")
    default_code = "file_too_large"


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file's bytes as they arrive and stops at the limit."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.SMZ_ATTACHMENT_MAX_BYTES:
            raise UploadTooLarge()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file
