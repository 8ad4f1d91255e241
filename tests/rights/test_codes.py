"""One-time codes (短信验证码): a worker signs in with his ID number, his name and the code sent to the phone
registered with his engagement. What an asker could learn or try, and what he gets: a number the platform does
not hold, or a right number with another name, gets the same answer and the same limits as a registered one
(and no message goes anywhere); a code lives five minutes and five tries, once; asking is limited per number
and per client address."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from rights.models import OneTimeCode
from smz_platform.common.models import AuditAction, AuditEvent
from tests.factories import id_number
from tests.rights.conftest import OTHER_ID, WORKER_ID, WORKER_NAME, WORKER_PHONE, codes_sent, register, sign_in

pytestmark = pytest.mark.django_db


def ask(client: Client, caplog, number: str, name: str, address: str = "203.0.113.5"):
    with caplog.at_level("WARNING", logger="smz.sms"):
        caplog.clear()
        answer = client.post("/worker/", {"id_number": number, "name": name}, REMOTE_ADDR=address)
    return answer, codes_sent(caplog)


def test_a_worker_signs_in_with_the_code_sent_to_his_registered_phone(city, worker, caplog):
    client = Client()
    answer, sent = ask(client, caplog, WORKER_ID, WORKER_NAME)
    assert answer.status_code == 302 and answer["Location"] == "/worker/code/"
    assert [phone for phone, _code in sent] == [WORKER_PHONE]
    page = client.get("/worker/code/").content.decode()
    assert "验证码已发送至登记的手机号" in page and WORKER_PHONE not in page
    assert client.post("/worker/code/", {"code": sent[0][1]})["Location"] == "/worker/records/"
    records = client.get("/worker/records/").content.decode()
    assert WORKER_NAME in records and city.project.name in records
    # The code is spent: typed again (a second device, a replay), it does not sign in.
    other = Client()
    other.session  # noqa: B018
    assert other.post("/worker/code/", {"code": sent[0][1]}).status_code == 400
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == [AuditAction.CODE, AuditAction.SIGN_IN]
    assert not AuditEvent.objects.filter(what__contains=WORKER_ID).exists()  # the number is never logged


def test_a_number_not_engaged_gets_the_same_answer_as_one_that_is(city, worker, caplog):
    """Three askers: the worker, a valid number never registered, the worker's number with another name. Each
    is sent to the code page with the same words; only the worker's phone gets a message; no code the other two
    could type signs them in."""
    pages = []
    travel = time_machine.travel("2026-12-05 09:00 +0800", tick=False)
    clock = travel.start()
    for number, name in ((WORKER_ID, WORKER_NAME), (OTHER_ID, "赵六"), (WORKER_ID, "钱七")):
        clock.shift(dt.timedelta(seconds=61))  # past the one-a-minute limit of a number
        client = Client()
        answer, sent = ask(client, caplog, number, name, address=f"203.0.113.{len(pages) + 10}")
        assert answer.status_code == 302 and answer["Location"] == "/worker/code/"
        page = client.get("/worker/code/")
        pages.append((page.status_code, page.content.decode().split("csrfmiddlewaretoken")[0]))
        if number == WORKER_ID and name == WORKER_NAME:
            assert len(sent) == 1
        else:
            assert sent == []
            for guess in ("000000", "123456"):
                wrong = client.post("/worker/code/", {"code": guess})
                assert wrong.status_code == 400 and "验证码错误或已过期" in wrong.content.decode()
    travel.stop()
    assert pages[0][0] == pages[1][0] == pages[2][0] == 200
    assert len({text for _status, text in pages}) == 1
    assert OneTimeCode.objects.count() == 3  # every ask counts against the same limits


def test_a_worker_without_a_registered_phone_gets_no_message(city, caplog):
    register(city, WORKER_ID, WORKER_NAME)  # registered without a phone
    answer, sent = ask(Client(), caplog, WORKER_ID, WORKER_NAME)
    assert answer.status_code == 302 and sent == []


def test_the_code_expires_after_five_minutes(city, worker, caplog):
    client = Client()
    with time_machine.travel("2026-12-05 09:00 +0800", tick=False) as clock:
        _answer, sent = ask(client, caplog, WORKER_ID, WORKER_NAME)
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        late = client.post("/worker/code/", {"code": sent[0][1]})
    assert late.status_code == 400 and "验证码错误或已过期" in late.content.decode()
    assert client.get("/worker/records/")["Location"] == "/worker/"  # not signed in


def test_five_wrong_tries_spend_the_code(city, worker, caplog):
    client = Client()
    _answer, sent = ask(client, caplog, WORKER_ID, WORKER_NAME)
    right = sent[0][1]
    wrong = "000000" if right != "000000" else "111111"
    for _try in range(5):
        assert client.post("/worker/code/", {"code": wrong}).status_code == 400
    sixth = client.post("/worker/code/", {"code": right})
    assert sixth.status_code == 400 and "输错5次" in sixth.content.decode()
    assert client.get("/worker/records/")["Location"] == "/worker/"


def test_asking_is_limited_per_number(city, worker, caplog):
    with time_machine.travel("2026-12-05 09:00 +0800", tick=False) as clock:
        for n in range(5):
            answer, _sent = ask(Client(), caplog, WORKER_ID, WORKER_NAME, address=f"198.51.100.{n}")
            assert answer.status_code == 302
            again, sent = ask(Client(), caplog, WORKER_ID, WORKER_NAME, address=f"198.51.100.{n + 100}")
            assert again.status_code == 429 and sent == [] and "1分钟" in again.content.decode()
            clock.shift(dt.timedelta(seconds=61))
        sixth, sent = ask(Client(), caplog, WORKER_ID, WORKER_NAME, address="198.51.100.50")
        assert sixth.status_code == 429 and sent == [] and "1小时" in sixth.content.decode()
        # An unknown number is limited the same way: the limit says nothing about who is registered.
        for n in range(5):
            assert ask(Client(), caplog, OTHER_ID, "赵六", address=f"198.51.100.{n + 150}")[0].status_code == 302
            clock.shift(dt.timedelta(seconds=61))
        assert ask(Client(), caplog, OTHER_ID, "赵六", address="198.51.100.200")[0].status_code == 429
        clock.shift(dt.timedelta(hours=1))
        assert ask(Client(), caplog, WORKER_ID, WORKER_NAME, address="198.51.100.51")[0].status_code == 302


def test_asking_is_limited_per_address(city, worker, caplog):
    numbers = [id_number("330203", f"1970{month:02d}15") for month in range(1, 13)]
    numbers += [id_number("330204", f"1971{month:02d}15") for month in range(1, 13)]
    for n, number in enumerate(numbers[:20]):
        assert ask(Client(), caplog, number, "某某", address="192.0.2.7")[0].status_code == 302, n
    over, sent = ask(Client(), caplog, WORKER_ID, WORKER_NAME, address="192.0.2.7")
    assert over.status_code == 429 and sent == [] and "此地址" in over.content.decode()
    assert ask(Client(), caplog, WORKER_ID, WORKER_NAME, address="192.0.2.8")[0].status_code == 302


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"id_number": "330203198505050000", "name": WORKER_NAME}, "身份证"),
        ({"id_number": "not-a-number\x00", "name": WORKER_NAME}, "身份证"),
        ({"id_number": WORKER_ID, "name": "   "}, "姓名"),
        ({"name": WORKER_NAME}, "身份证"),
    ],
)
def test_malformed_sign_in_is_refused_with_the_reason_and_nothing_kept(city, worker, body, message):
    answer = Client().post("/worker/", body)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert OneTimeCode.objects.count() == 0


@pytest.mark.parametrize("code", ["", "abc", "12345", "1234567", "１２３４５６", "' OR 1=1 --"])
def test_a_malformed_code_is_refused_without_a_500(city, worker, caplog, code):
    client = Client()
    ask(client, caplog, WORKER_ID, WORKER_NAME)
    answer = client.post("/worker/code/", {"code": code})
    assert answer.status_code == 400 and "验证码错误或已过期" in answer.content.decode()


def test_the_code_page_without_asking_first_goes_back_to_the_start(city):
    assert Client().get("/worker/code/")["Location"] == "/worker/"
    assert Client().post("/worker/code/", {"code": "123456"}).status_code == 400


def test_the_session_ends_after_half_an_hour_and_on_sign_out(city, worker, caplog):
    client = Client()
    with time_machine.travel("2026-12-05 09:00 +0800", tick=False) as clock:
        assert sign_in(client, caplog) == "/worker/records/"
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/worker/records/")["Location"] == "/worker/"
        clock.shift(dt.timedelta(minutes=2))
        sign_in(client, caplog)
        assert client.get("/worker/records/").status_code == 200
        client.post("/worker/sign-out/")
        assert client.get("/worker/records/")["Location"] == "/worker/"


def test_codes_asked_more_than_a_day_ago_are_forgotten_by_the_nightly_purge(city, worker, caplog, settings):
    from celery.schedules import crontab

    from rights.tasks import purge_one_time_codes_task

    with time_machine.travel("2026-12-03 09:00 +0800", tick=False):
        ask(Client(), caplog, WORKER_ID, WORKER_NAME)
    with time_machine.travel("2026-12-05 08:00 +0800", tick=False):
        ask(Client(), caplog, OTHER_ID, "赵六")
        assert purge_one_time_codes_task() == 1
    assert OneTimeCode.objects.count() == 1  # this morning's is kept: the limits read the last hour
    entry = settings.CELERY_BEAT_SCHEDULE["purge-one-time-codes"]
    assert entry["task"] == "rights.tasks.purge_one_time_codes_task"
    assert entry["schedule"] == crontab(hour=3, minute=20)
