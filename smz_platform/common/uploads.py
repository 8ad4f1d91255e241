"""Uploads are refused as soon as they pass the size limit, while they stream in: a file larger than
SMZ_ATTACHMENT_MAX_BYTES stops the request's parsing at that byte (413), never read whole first."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
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


class UploadLimitMiddleware:
    """A page form's upload over the limit is answered 413 with the site's own page, before anything reads
    the form (CSRF's check reads it first, where the exception would otherwise be a 500). The API's routes
    parse their own bodies and answer the same 413 as JSON (UploadTooLarge is an APIException)."""

    API = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.content_type == "multipart/form-data"
            and not request.path.startswith(self.API)
        ):
            try:
                request.POST  # noqa: B018  parsed here, once: the view reads the same parse
            except UploadTooLarge as exc:
                return render(request, "413.html", {"message": str(exc.detail)}, status=413)
        return self.get_response(request)
