"""With the database unreachable, the device API answers 503 `unavailable` with Retry-After."""

from __future__ import annotations

import json

from tests.platform.helpers import SECRETS, run_python

CODE = """
import django, json, time
django.setup()
from django.test import Client
from devices.signing import sign
body = json.dumps({"punches": [{"record_id": "R-1"}]}).encode()
ts, nonce = str(int(time.time())), "nonce-db-down-0001"
headers = {"X-Device-SN": "HS-GATE-01", "X-Timestamp": ts, "X-Nonce": nonce,
           "X-Signature": sign(b"secret", "POST", "/api/device/v1/punches", ts, nonce, body)}
response = Client().post("/api/device/v1/punches", body, content_type="application/json", headers=headers)
print(response.status_code, response.get("Retry-After"))
print(response.content.decode())
"""


def test_a_push_with_the_database_stopped_is_503_with_retry_after():
    result = run_python(
        CODE,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/smz",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        **SECRETS,
    )
    assert result.returncode == 0, result.stderr
    status_line, body = result.stdout.strip().splitlines()[-2:]
    assert status_line == "503 30"
    assert json.loads(body)["code"] == "unavailable"


def test_an_api_read_with_the_database_stopped_is_503_not_500():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/api/v1/projects/', HTTP_AUTHORIZATION='Token abc'); "
        "print(r.status_code, r.get('Retry-After'))"
    )
    result = run_python(
        code,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/smz",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        **SECRETS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "503 30"
