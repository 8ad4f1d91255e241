"""Text messages through the configured backend: the log, a file, or a provider's HTTP API (Yunpian's
shape), the last tested against a local receiver that answers as the provider does, refuses, fails or
stalls; a message not sent is an SmsError, never a silent success."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smz_platform.common.sms import SmsError, sms_send


class Provider(BaseHTTPRequestHandler):
    """The provider: records each form it is sent; answers as `mode` says."""

    received: list[dict] = []
    mode = "ok"

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        Provider.received.append(
            {key: values[0] for key, values in form.items()} | {"type": self.headers["Content-Type"]}
        )
        if Provider.mode == "stall":
            threading.Event().wait(2)
        status, answer = {
            "ok": (200, {"code": 0, "msg": "发送成功", "count": 1, "fee": 0.05, "sid": 1}),
            "refused": (400, {"code": 2, "msg": "请求参数格式错误"}),
            "refused_200": (200, {"code": 22, "msg": "验证码类短信1小时内同一手机号发送次数不能超过3次"}),
            "garbled": (200, None),
        }.get(Provider.mode, (200, {"code": 0}))
        body = b"<html>" if answer is None else json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    Provider.received, Provider.mode = [], "ok"
    settings.SMZ_SMS_BACKEND = "smz_platform.common.sms.HttpBackend"
    settings.SMZ_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/v2/sms/single_send.json"
    settings.SMZ_SMS_API_KEY = "k-123"
    settings.SMZ_SMS_TIMEOUT = 0.5
    yield Provider
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_the_providers_form_and_takes_code_0_as_sent(provider):
    sms_send(phone="13800000000", text="【宁波实名制】验证码 123456，5分钟内有效。")
    (form,) = provider.received
    assert form["apikey"] == "k-123" and form["mobile"] == "13800000000"
    assert form["text"] == "【宁波实名制】验证码 123456，5分钟内有效。"
    assert form["type"].startswith("application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("refused", "HTTP 400"),
        ("refused_200", "refused the message: 22"),
        ("garbled", "not JSON"),
        ("stall", "reached"),
    ],
)
def test_a_refusal_a_garbled_answer_or_a_stall_is_an_sms_error(provider, mode, reason):
    provider.mode = mode
    with pytest.raises(SmsError, match=reason):
        sms_send(phone="13800000000", text="验证码 1")


def test_only_an_http_address_is_ever_opened(provider, settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text('{"code": 0}')
    settings.SMZ_SMS_URL = f"file://{secret}"
    with pytest.raises(SmsError, match="not an http"):
        sms_send(phone="13800000000", text="验证码 1")


def test_the_file_backend_keeps_one_json_line_a_message(settings, tmp_path):
    settings.SMZ_SMS_BACKEND = "smz_platform.common.sms.FileBackend"
    settings.SMZ_SMS_FILE_PATH = str(tmp_path / "sms" / "sent.log")
    sms_send(phone="13800000000", text="验证码 1")
    sms_send(phone="13900000000", text="验证码 2")
    lines = [json.loads(line) for line in (tmp_path / "sms" / "sent.log").read_text("utf-8").splitlines()]
    assert [(m["phone"], m["text"]) for m in lines] == [("13800000000", "验证码 1"), ("13900000000", "验证码 2")]


def test_the_console_backend_writes_the_message_to_the_log(settings, caplog):
    settings.SMZ_SMS_BACKEND = "smz_platform.common.sms.ConsoleBackend"
    with caplog.at_level("WARNING", logger="smz.sms"):
        sms_send(phone="13800000000", text="验证码 3")
    assert "13800000000" in caplog.text and "验证码 3" in caplog.text
