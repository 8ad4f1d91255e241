"""A receiver that stays down is seen: when its oldest waiting record is older than SMZ_UPWARD_BACKLOG_MINUTES,
/healthz says it is late, /metrics gives the age, and the city's page marks it past the time limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from upward.records import project_records
from upward.sending import outbox_send
from upward.services import outbox_write

pytestmark = pytest.mark.django_db


def test_a_receiver_down_for_hours_is_late_on_the_health_check_the_metrics_and_the_page(city, receiver, simulated):
    simulated.mode = "drop"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        outbox_write(project=city.project, items=project_records(city.project))
        outbox_send(receiver=receiver)
        body = Client().get("/healthz").json()
        assert body["upward"] == [{"receiver": receiver.name, "oldest_waiting_seconds": 0, "late": False}]
        clock.move_to(start + dt.timedelta(hours=3))
        body = Client().get("/healthz").json()
        assert body["upward"] == [{"receiver": receiver.name, "oldest_waiting_seconds": 3 * 3600, "late": True}]
        metrics = Client().get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        found = re.search(r'smz_upward_backlog_oldest_seconds\{receiver="([^"]+)"\} ([0-9.e+]+)', metrics)
        assert found and float(found.group(2)) == 3 * 3600
        staff = Client()
        staff.force_login(city.users["city"])
        page = staff.get("/upward/").content.decode()
    assert "最早一条待上报记录已等待 180 分钟" in page and "超过时限" in page
