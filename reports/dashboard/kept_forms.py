"""A page form refused keeps what was typed (issue 25): the refusal is kept in the session for the one
page that follows the redirect, which binds the form again with the typed values and shows each message
beside its field (a file input cannot be refilled: browsers forbid it; the form says to choose it again).

Post/redirect/get stays: a refresh of the page after a refusal never submits the form a second time.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from smz_platform.common.errors import Conflict

SKIPPED = ("csrfmiddlewaretoken",)


def _messages_of(error: ValidationError | Conflict | dict) -> dict[str, list[str]]:
    if isinstance(error, dict):  # a form's own errors
        return {field: [str(m) for m in texts] for field, texts in error.items()}
    if isinstance(error, Conflict):
        return {error.field: [error.message]}
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in texts] for field, texts in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def form_refused(request: HttpRequest, key: str, error: ValidationError | Conflict | dict) -> None:
    """Keep the typed values and the messages for the form `key` on the next page, and say at the top
    that the form below was refused."""
    typed = {name: request.POST.getlist(name) for name in request.POST if name not in SKIPPED}
    request.session[f"kept-form:{key}"] = {"data": typed, "errors": _messages_of(error), "files": bool(request.FILES)}
    messages.error(request, _("Nothing was saved: see the messages beside the form's fields."))


def form_restored(request: HttpRequest, key: str, form_class: type[forms.Form], **kwargs) -> forms.Form:
    """The form `key` as it was refused (bound to what was typed, each message on its field), once; or
    a fresh one."""
    kept = request.session.pop(f"kept-form:{key}", None)
    if not kept:
        return form_class(**kwargs)
    form = form_class(data=_query_dict(kept["data"]), **kwargs)
    form.is_valid()  # the field checks' own messages
    for field, texts in kept["errors"].items():
        for text in texts:
            if text not in form.errors.get(field if field in form.fields else "__all__", []):
                form.add_error(field if field in form.fields else None, text)
    form.refused = True
    form.files_dropped = kept.get("files", False)
    return form


def _query_dict(data: dict[str, list[str]]) -> QueryDict:
    bound = QueryDict(mutable=True)
    for name, values in data.items():
        bound.setlist(name, values)
    return bound


# --- confirmation of an irreversible act (issue 25) ------------------------------------------------------

CONFIRM = "confirm"  # the box every irreversible page form carries (_confirm.html, or a form's own field)


def unconfirmed(request: HttpRequest, refusal: str) -> bool:
    """True (and the refusal said at the top of the next page, nothing done) when the form's confirmation
    box was not ticked: an approval, a 报送, an issued measure cannot be taken back, so a page never does
    one on a click alone. The API is unaffected: a client states its intent in the request itself."""
    if request.POST.get(CONFIRM) in ("on", "yes", "true", "1"):
        return False
    messages.error(request, refusal)
    return True
