"""The simulated receiver answers as ../shared/docs/national.md says receivers do, to the real client over HTTP:
the signature and the appid checked, unknown methods refused, malformed data refused, writes answered with a
serial that is pending until processed, a worker before his team refused; and `manage.py national_receiver`
refuses bad arguments with a message."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from smz_platform.common.national import call_form
from tests.upward.conftest import APPID, SECRET
from upward.client import NationalClient, Refused, Unreachable


def client(simulated, secret: str = SECRET, appid: str = APPID) -> NationalClient:
    return NationalClient(url=simulated.url, appid=appid, secret=secret, timeout=3)


def test_the_signature_and_the_appid_are_checked(simulated):
    with pytest.raises(Refused) as wrong:
        client(simulated, secret="1" * 32).write("Corp.Upload", {"corpCode": "x"})
    assert (wrong.value.code, wrong.value.message) == (-2, "签名验证失败")
    with pytest.raises(Refused) as unknown:
        client(simulated, appid="nobody").write("Corp.Upload", {"corpCode": "x"})
    assert (unknown.value.code, unknown.value.message) == (-1, "appid不存在")
    assert simulated.store.calls == []  # nothing refused counts as a call received


def test_an_unknown_method_and_malformed_data_are_refused(simulated):
    with pytest.raises(Refused) as method:
        client(simulated).write("Worker.Delete", {})
    assert method.value.code == -3 and "Worker.Delete" in method.value.message
    form = call_form(
        appid=APPID, secret=SECRET, method="Corp.Upload", data="{not json", nonce="n1", timestamp="20261201120000"
    )
    body = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(simulated.url, data=body), timeout=3) as response:
        answer = json.loads(response.read())
    assert answer["code"] == -1 and answer["message"] == "data不是合法的JSON"
    partial = {k: v for k, v in form.items() if k != "timestamp"}
    with urllib.request.urlopen(
        urllib.request.Request(simulated.url, data=urllib.parse.urlencode(partial).encode()), timeout=3
    ) as response:
        assert json.loads(response.read())["message"] == "缺少参数：timestamp"


def test_a_write_is_pending_until_processed_then_succeeds_with_what_was_assigned(simulated):
    simulated.processing_seconds = 0.5
    api = client(simulated)
    serial = api.write("Corp.Upload", {"corpCode": "91330200MA0000011X", "corpName": "宁波测试", "areaCode": "330203"})
    assert api.result(serial).status == 0
    time.sleep(0.6)
    done = api.result(serial)
    assert done.status == 20 and json.loads(done.result) == {"failures": []}
    with pytest.raises(Refused, match="requestSerialCode不存在"):
        api.result("0" * 32)


def test_a_team_of_an_unknown_project_and_an_unknown_area_are_refused_with_their_reason(simulated):
    api = client(simulated)
    team = api.result(api.write("Team.Add", {"projectCode": "P404", "corpCode": "x", "teamName": "木工班"}))
    assert (team.status, team.result) == (10, "项目P404不存在")
    corp = api.result(api.write("Corp.Upload", {"corpCode": "c", "corpName": "n", "areaCode": "990000"}))
    assert (corp.status, corp.result) == (10, "行政区划代码990000不存在")


def test_fail_and_drop_are_what_the_sender_sees_of_an_outage(simulated):
    simulated.mode = "fail"
    with pytest.raises(Refused) as busy:
        client(simulated).write("Corp.Upload", {})
    assert busy.value.code == 9999
    simulated.mode = "drop"
    with pytest.raises(Unreachable):
        client(simulated).write("Corp.Upload", {})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--appid", "a", "--secret", "short"], "32 ASCII characters"),
        (["--appid", "a", "--secret", SECRET, "--port", "70000"], "between 0 and 65535"),
    ],
)
def test_the_receiver_command_refuses_bad_arguments_with_a_message(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("national_receiver", *arguments)


@pytest.mark.django_db
def test_the_send_command_names_an_unknown_receiver():
    with pytest.raises(CommandError, match="No enabled receiver is named 'nobody'"):
        call_command("upward_send", "--receiver", "nobody")
