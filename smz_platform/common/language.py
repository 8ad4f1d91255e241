"""The language of the pages and answers: the account's setting, Chinese by default (issue 15).

Django's LocaleMiddleware follows the browser's Accept-Language, so an English browser turned a
Chinese regulator's whole site English, with Chinese left over wherever a string came from data. Here
the language is the signed-in account's `language` (chosen in the header of every page, or by the city
in the admin), and for everyone else — the login page, devices, integrations — the site's
LANGUAGE_CODE. The browser's preference is never consulted.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def account_language(user) -> str:
    language = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


class AccountLanguageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = account_language(request.user)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
