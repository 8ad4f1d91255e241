"""A worker's own records: his month's valid attended days, the punches that did not count and why (the platform's
verdict, in Chinese), his contract, his wage lines, and his word on his exit settlement. He sees his own and
nothing of anyone else's: another person's engagement id is the same 404 as one that does not exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from projects.models import Engagement
from rights.models import Complaint, ComplaintKind, ComplaintSource
from tests.factories import id_number
from tests.inspections.enforcement.helpers import SHANGHAI
from tests.rights.conftest import WORKER_ID, register, sign_in
from wages.models import ExitSettlement, LabourContract

pytestmark = pytest.mark.django_db


def punch(gate, n: int, at: dt.datetime, *, liveness: bool = True):
    return {
        "record_id": f"W-{n}",
        "id_number": WORKER_ID,
        "method": "face",
        "direction": "in",
        "liveness": liveness,
        "match_score": 0.95,
        "punched_at": at.isoformat(),
    }


@pytest.fixture
def attended(city, gate, worker):
    """On 10 November he punched in and out; on 11 November the gate's liveness check refused his face."""
    with time_machine.travel(dt.datetime(2026, 11, 11, 19, tzinfo=SHANGHAI), tick=False):
        gate.heartbeat()
        answer = gate.punches(
            [
                punch(gate, 1, dt.datetime(2026, 11, 10, 7, 30, tzinfo=SHANGHAI)),
                punch(gate, 2, dt.datetime(2026, 11, 10, 17, 30, tzinfo=SHANGHAI)),
                punch(gate, 3, dt.datetime(2026, 11, 11, 7, 40, tzinfo=SHANGHAI), liveness=False),
            ]
        )
    assert answer.status_code == 200, answer.content
    return worker


def test_the_worker_sees_his_valid_days_and_the_punch_that_did_not_count_with_its_reason(city, attended, caplog):
    client = Client()
    with time_machine.travel("2026-12-05 10:00 +0800", tick=False):
        sign_in(client, caplog)
        listing = client.get("/worker/records/").content.decode()
        assert f"/worker/records/{attended}/" in listing
        page = client.get(f"/worker/records/{attended}/?month=2026-11")
    text = page.content.decode()
    assert page.status_code == 200
    assert "2026年11月有效出勤" in text and '<span class="code">1</span> 天' in text and "11月10日" in text
    assert "11月11日 07:40" in text and "设备活体检测未通过" in text
    assert WORKER_ID not in text


def test_his_contract_wage_lines_and_settlement_are_shown_and_he_answers_once(city, attended, caplog):
    engagement = Engagement.objects.get(pk=attended)
    LabourContract.objects.create(
        engagement=engagement,
        code="HT-2026-001",
        signed_on=dt.date(2026, 10, 1),
        period="task",
        starts_on=dt.date(2026, 10, 1),
        pay_unit="day",
        unit_price=Decimal("350.00"),
        recorded_by=city.users["contractor"],
    )
    ExitSettlement.objects.create(
        engagement=engagement,
        workload="钢筋绑扎 40 天",
        amount=Decimal("14000.00"),
        settled_on=dt.date(2026, 11, 30),
        recorded_by=city.users["contractor"],
    )
    client = Client()
    with time_machine.travel("2026-12-05 10:00 +0800", tick=False):
        sign_in(client, caplog)
        page = client.get(f"/worker/records/{attended}/?month=2026-11").content.decode()
        assert "HT-2026-001" in page and "350.00元" in page and "14000.00元" in page and "提出异议" in page
        short = client.post(f"/worker/records/{attended}/settlement/", {"answer": "disputed", "text": "少"})
        assert short.status_code == 400 and "至少5个字" in short.content.decode()
        disputed = client.post(
            f"/worker/records/{attended}/settlement/", {"answer": "disputed", "text": "实际干了50天，只算了40天"}
        )
        assert disputed.status_code == 200 and "查询码" in disputed.content.decode()
        again = client.post(f"/worker/records/{attended}/settlement/", {"answer": "confirmed"})
    assert again.status_code == 400 and "已经答复" in again.content.decode()
    settlement = ExitSettlement.objects.get(engagement=engagement)
    assert settlement.worker_answer == "disputed" and not settlement.worker_confirmed
    complaint = Complaint.objects.get()
    assert (complaint.kind, complaint.source, complaint.enterprise) == (
        ComplaintKind.WAGES,
        ComplaintSource.SETTLEMENT,
        city.contractor,
    )
    assert complaint.engagement == engagement and complaint.phone_masked == "139****1234"
    assert complaint.deadline == dt.date(2026, 12, 12)  # the policy's 7 days


def test_he_sees_only_his_own_engagements(city, attended, caplog):
    other = register(city, id_number("330203", "19860707"), "李四", "13905740000")
    client = Client()
    sign_in(client, caplog)
    assert client.get(f"/worker/records/{other}/").status_code == 404
    assert client.get("/worker/records/999999/").status_code == 404
    assert client.post(f"/worker/records/{other}/settlement/", {"answer": "confirmed"}).status_code == 404
    assert "李四" not in client.get("/worker/records/").content.decode()


def test_pages_of_records_need_the_code(city, attended):
    anonymous = Client()
    for path in ("/worker/records/", f"/worker/records/{attended}/"):
        assert anonymous.get(path)["Location"] == "/worker/"
    assert anonymous.post(f"/worker/records/{attended}/settlement/", {"answer": "confirmed"})["Location"] == (
        "/worker/"
    )
    assert not ExitSettlement.objects.filter(worker_answer="confirmed").exists()


@pytest.mark.parametrize("month", ["2026-13", "abcd", "2025-01", "2026-11-01", "9" * 40])
def test_a_month_outside_his_engagement_or_malformed_is_a_clear_400(city, attended, caplog, month):
    client = Client()
    with time_machine.travel("2026-12-05 10:00 +0800", tick=False):
        sign_in(client, caplog)
        page = client.get(f"/worker/records/{attended}/", {"month": month})
    assert page.status_code == 400 and "没有" in page.content.decode() and "这个月份的记录" in page.content.decode()
