"""What the public pages share: a refusal's messages as a list for the page, the 429 page of a limit reached.
(The client's address is smz_platform.common.audit.client_address, as everywhere.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smz_platform.common.errors import Conflict, TooManyRequests

# An empty public form is the same for every visitor but his CSRF token: kept for the crowd as the pages are
# (smz_platform.common.publicpages), as long as a board (a board's form names its project, and is forgotten with it).
FORM_CACHE_SECONDS = 3600


def errors_of(error: ValidationError | Conflict) -> dict[str, list[str]]:
    if isinstance(error, Conflict):
        return {error.field: [error.message]}
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"": [str(m) for m in error.messages]}


def too_many(request: HttpRequest, error: TooManyRequests) -> HttpResponse:
    response = render(request, "rights/too_many.html", {"message": error.message}, status=429)
    response["Retry-After"] = "60"
    return response
