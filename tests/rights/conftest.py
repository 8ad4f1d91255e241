"""A worker registered with his phone through the integration API, and the codes the console backend logs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import id_number

WORKER_ID = id_number("330203", "19850505", 21)
WORKER_NAME = "孙小工"
WORKER_PHONE = "13905741234"
OTHER_ID = id_number("330203", "19860606", 33)


def register(city, number: str, name: str, phone: str = "", employer=None) -> int:
    """进场登记 through the API, as the contractor's system does it; the engagement's id."""
    api = APIClient()
    api.force_authenticate(city.users["contractor"])
    body = {
        "id_number": number,
        "name": name,
        "employer": (employer or city.contractor).uscc,
        "category": "worker",
        "entered_on": "2026-10-01",
        "phone": phone,
    }
    answer = api.post(f"/api/v1/projects/{city.project.permit_no}/engagements/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


@pytest.fixture
def worker(city):
    return register(city, WORKER_ID, WORKER_NAME, WORKER_PHONE)


def codes_sent(caplog) -> list[tuple[str, str]]:
    """(phone, code) of each message the console backend logged."""
    return re.findall(r"短信 to (\d+): .*?验证码为(\d{6})", caplog.text)


def sign_in(client: Client, caplog, number: str = WORKER_ID, name: str = WORKER_NAME) -> str:
    """Ask for a code and type it; the page the worker lands on."""
    with caplog.at_level("WARNING", logger="smz.sms"):
        caplog.clear()
        asked = client.post("/worker/", {"id_number": number, "name": name})
    assert asked.status_code == 302 and asked["Location"] == "/worker/code/"
    (_phone, code), *_ = codes_sent(caplog)
    answer = client.post("/worker/code/", {"code": code})
    assert answer.status_code == 302, answer.content.decode()
    return answer["Location"]


ENTERED = dt.date(2026, 10, 1)
