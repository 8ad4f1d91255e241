"""A worker's own records (本人查询), phone-first: he gives his ID number and name, types the code sent to the
phone registered with his engagement, and reads his engagements month by month. The session holds only whom
the code proved, for half an hour; every page reads that person's records and no one else's."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from projects.models import Person
from rights.models import CodePurpose
from rights.selectors.records import (
    engagement_months,
    worker_contracts,
    worker_engagement,
    worker_engagements,
    worker_month,
    worker_settlement,
)
from rights.services.codes import code_redeem, worker_code_request
from rights.services.settlement import settlement_answer
from rights.tracking import tracking_code_shown
from rights.views.forms import FORM_CACHE_SECONDS, errors_of, too_many
from smz_platform.common.audit import client_address
from smz_platform.common.errors import Conflict, TooManyRequests
from smz_platform.common.publicpages import public_page

SIGNED_IN = "rights.worker"
SIGNED_IN_UNTIL = "rights.worker.until"
CODE_ASKED = "rights.worker.code"
SESSION_MINUTES = 30
SENT = "如身份证号和姓名与进场登记一致，验证码已发送至登记的手机号，5分钟内有效。"


def signed_in_worker(request: HttpRequest) -> Person | None:
    """The person the code proved in this session, while it lasts."""
    person_id, until = request.session.get(SIGNED_IN), request.session.get(SIGNED_IN_UNTIL)
    if not person_id or not until or dt.datetime.fromisoformat(until) <= timezone.now():
        return None
    return Person.objects.filter(pk=person_id).first()


def _required(request: HttpRequest) -> Person:
    person = signed_in_worker(request)
    if person is None:
        raise _SignIn()
    return person


class _SignIn(Exception):
    pass


def _worker_page(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _SignIn:
            return redirect("rights:worker-sign-in")

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return never_cache(wrapped)


@never_cache
@public_page(FORM_CACHE_SECONDS)
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            asked = worker_code_request(
                id_number=request.POST.get("id_number", ""),
                name=request.POST.get("name", ""),
                address=client_address(request),
                request=request,
            )
        except ValidationError as error:
            return render(
                request, "rights/worker_sign_in.html", {"errors": errors_of(error), "data": request.POST}, status=400
            )
        except TooManyRequests as error:
            return too_many(request, error)
        request.session[CODE_ASKED] = asked.code_id
        return redirect("rights:worker-code")
    return render(request, "rights/worker_sign_in.html", {"data": {}})


@never_cache
def code(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            row = code_redeem(
                code_id=request.session.get(CODE_ASKED),
                code=request.POST.get("code", ""),
                purpose=CodePurpose.WORKER,
                request=request,
            )
        except ValidationError as error:
            return render(request, "rights/worker_code.html", {"errors": errors_of(error), "sent": SENT}, status=400)
        request.session.cycle_key()  # a new session id once signed in (no fixation)
        request.session[SIGNED_IN] = row.person_id
        until = timezone.now() + dt.timedelta(minutes=SESSION_MINUTES)
        request.session[SIGNED_IN_UNTIL] = until.isoformat()
        request.session.pop(CODE_ASKED, None)
        return redirect("rights:worker-records")
    if not request.session.get(CODE_ASKED):
        return redirect("rights:worker-sign-in")
    return render(request, "rights/worker_code.html", {"sent": SENT})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    for key in (SIGNED_IN, SIGNED_IN_UNTIL, CODE_ASKED):
        request.session.pop(key, None)
    return redirect("rights:worker-sign-in")


@_worker_page
def records(request: HttpRequest) -> HttpResponse:
    person = _required(request)
    return render(request, "rights/worker_records.html", {"person": person, "engagements": worker_engagements(person)})


def _month(value: str | None, months: list[dt.date]) -> dt.date | None:
    if not value:
        return months[0] if months else None
    try:
        chosen = dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        return None
    return chosen if chosen in months else None


@_worker_page
def engagement(request: HttpRequest, engagement_id: int) -> HttpResponse:
    person = _required(request)
    found = worker_engagement(person, engagement_id)
    if found is None:
        raise Http404
    months = engagement_months(found, timezone.localdate())
    month = _month(request.GET.get("month"), months)
    if month is None:
        return render(
            request,
            "rights/worker_engagement.html",
            {"engagement": found, "months": months, "bad_month": request.GET.get("month", "")[:20]},
            status=400 if request.GET.get("month") else 200,
        )
    context = {
        "person": person,
        "engagement": found,
        "months": months,
        "month": month,
        "records": worker_month(found, month),
        "contracts": worker_contracts(found),
        "settlement": worker_settlement(found),
    }
    return render(request, "rights/worker_engagement.html", context)


@_worker_page
@require_POST
def settlement(request: HttpRequest, engagement_id: int) -> HttpResponse:
    person = _required(request)
    found = worker_engagement(person, engagement_id)
    if found is None:
        raise Http404
    try:
        complaint = settlement_answer(
            person=person,
            engagement=found,
            answer=request.POST.get("answer", ""),
            text=request.POST.get("text", ""),
            address=client_address(request),
            request=request,
        )
    except (ValidationError, Conflict) as error:
        context = {
            "person": person,
            "engagement": found,
            "errors": errors_of(error),
            "settlement": worker_settlement(found),
        }
        return render(request, "rights/worker_settlement.html", context, status=400)
    context = {"person": person, "engagement": found, "settlement": worker_settlement(found), "done": True}
    if complaint is not None:
        context["tracking_code"] = tracking_code_shown(complaint.tracking_code)
    return render(request, "rights/worker_settlement.html", context)
