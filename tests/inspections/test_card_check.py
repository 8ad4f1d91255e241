"""Card-verified entry (杭建市发〔2016〕39号 三 "对进、出工程项目现场的人员统一使用二代身份证阅读器进行校验后，方可同意
其进、出工程项目现场", 五(一)1 "二代身份证不校验，人员不进场"), through the public API: entries registered by the
contractor, punches and card reads from the gate, the nightly run and the alerts the district reads."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from inspections.engine import rules_run
from inspections.models import Policy
from tests.dashboard.pages import signed_in, text
from tests.factories import id_number
from tests.inspections.test_figures_hold import at, nights, punch

pytestmark = pytest.mark.django_db

WORKER, MATE, STRANGER = (
    id_number("330106", "19800315", 17),
    id_number("330106", "19820611", 18),
    id_number("330106", "19790101", 19),
)


def _hangzhou():
    Policy.objects.filter(district__isnull=True, in_force=True).update(in_force=False)
    Policy.objects.filter(preset="hangzhou_2016").update(in_force=True)


def _enter(city, number: str, name: str, on: str = "2026-11-02") -> int:
    with time_machine.travel(at(11, 2, 7), tick=False):
        answer = city.client("contractor").post(
            f"/api/v1/projects/{city.project.permit_no}/engagements/",
            {
                "id_number": number,
                "name": name,
                "employer": city.subcontractor.uscc,
                "category": "worker",
                "entered_on": on,
            },
            format="json",
        )
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def card(record_id, number, when, valid_until="2036-05-01", **extra):
    return punch(
        record_id,
        number,
        when,
        method="id_card",
        liveness=None,
        match_score=None,
        card_valid_from="2016-05-01",
        card_valid_until=valid_until,
        **extra,
    )


def _send(gate, when, records):
    with time_machine.travel(when, tick=False):
        answer = gate.punches(records)
    assert answer.status_code == 200, answer.content
    return [r["status"] if r["status"] != "rejected" else r["error"]["code"] for r in answer.json()["results"]]


def _r17(city, day: int) -> list[dict]:
    with time_machine.travel(at(11, day + 1, 9), tick=False):
        answer = city.client("haishu").get("/api/v1/alerts/?rule=R17")
    assert answer.status_code == 200
    return answer.json()["results"]


def _engagements(city) -> dict[str, dict]:
    answer = city.client("contractor").get(f"/api/v1/projects/{city.project.permit_no}/engagements/")
    return {e["name"]: e for e in answer.json()["results"]}


def test_a_worker_on_site_without_a_card_read_is_found_until_his_card_is_read(city, gate):
    """二代身份证不校验，人员不进场: a face punch shows him on site; no read of his card verified his entry."""
    _hangzhou()
    _enter(city, WORKER, "陈大勇")
    for day in (2, 3):
        assert _send(gate, at(11, day, 8, 1), [punch(f"F-{day}", WORKER, at(11, day, 8))]) == ["accepted"]
    nights(dt.date(2026, 11, 2), dt.date(2026, 11, 3))
    [alert] = _r17(city, 3)
    assert alert["state"] == "open" and alert["period_start"] == "2026-11-02" and alert["period_end"] == "2026-11-03"
    assert alert["evidence"]["names"] == ["陈大勇"] and alert["evidence"]["never_read"] == 1
    with time_machine.travel(at(11, 4, 9), tick=False):
        page = text(signed_in(city, "haishu").get(f"/alerts/{alert['id']}/", secure=True))
    assert "当日有1人在场，其进场未经二代身份证阅读器读卡校验（陈大勇）" in page and "杭建市发〔2016〕39号" in page

    # His card is read at the gate on the 4th, as he comes in: the entry is verified from then on.
    assert _send(gate, at(11, 4, 7, 31), [card("C-4", WORKER, at(11, 4, 7, 30))]) == ["accepted"]
    assert _engagements(city)["陈大勇"]["card_checked_at"].startswith("2026-11-04T")
    nights(dt.date(2026, 11, 4), dt.date(2026, 11, 4))
    [alert] = _r17(city, 4)
    assert alert["state"] == "resolved"


def test_under_a_policy_without_the_card_check_nobody_is_found(city, gate):
    _enter(city, WORKER, "陈大勇")  # the default policy (宁波): entry by face, no card read asked
    _send(gate, at(11, 2, 8, 1), [punch("F-2", WORKER, at(11, 2, 8))])
    nights(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert _r17(city, 2) == []


def test_an_expired_card_or_anothers_number_verifies_no_entry(city, gate):
    """The read is taken as the device API answers any punch (accepted, the unregistered number the
    evidence of R04), but it verifies nobody's entry."""
    _hangzhou()
    _enter(city, WORKER, "陈大勇")
    _enter(city, MATE, "李小龙")
    answers = _send(
        gate,
        at(11, 2, 7, 31),
        [
            card("C-1", WORKER, at(11, 2, 7, 30), valid_until="2026-10-31"),  # expired two days before
            card("C-2", STRANGER, at(11, 2, 7, 30)),  # a card, but not of anyone engaged here
            punch("F-2", MATE, at(11, 2, 7, 25)),  # the mate comes in by face, his card never read
        ],
    )
    assert answers == ["accepted", "accepted", "accepted"]
    assert {name: e["card_checked_at"] for name, e in _engagements(city).items()} == {"陈大勇": None, "李小龙": None}
    nights(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    [alert] = _r17(city, 2)
    assert alert["evidence"]["names"] == ["李小龙", "陈大勇"]
    with time_machine.travel(at(11, 3, 9), tick=False):
        r04 = city.client("haishu").get("/api/v1/alerts/?rule=R04").json()["results"]
    assert any(a["evidence"].get("punches") == 1 for a in r04)


def test_an_exit_read_does_not_verify_an_entry(city, gate):
    _hangzhou()
    _enter(city, WORKER, "陈大勇")
    _send(gate, at(11, 2, 17, 1), [card("C-OUT", WORKER, at(11, 2, 17), direction="out")])
    assert _engagements(city)["陈大勇"]["card_checked_at"] is None
    nights(dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert len(_r17(city, 2)) == 1


def test_a_card_read_written_into_the_past_verifies_nothing_before_it_arrived(city, gate):
    """A contractor who let a worker in unchecked has the gate send a read dated on his entry day, weeks
    later: the read verifies the entry only from the day the platform received it, so the nights judged
    again before that still find him (R13's limit, 48 hours by default, separates a late read from a
    prompt one)."""
    _hangzhou()
    _enter(city, WORKER, "陈大勇")
    for day in range(2, 6):
        _send(gate, at(11, day, 8, 1), [punch(f"F-{day}", WORKER, at(11, day, 8))])
    _send(gate, at(11, 5, 9), [card("C-BACK", WORKER, at(11, 2, 7, 30))])  # "read" on the 2nd, sent on the 5th
    entry = _engagements(city)["陈大勇"]
    assert entry["card_checked_at"].startswith("2026-11-02T") and entry["card_check_received_at"].startswith(
        "2026-11-05T"
    )
    nights(dt.date(2026, 11, 2), dt.date(2026, 11, 5))
    [alert] = _r17(city, 5)
    # Found on the 2nd to the 4th, and cleared on the 5th, the day the read came in.
    assert (alert["period_start"], alert["period_end"], alert["state"]) == ("2026-11-02", "2026-11-04", "resolved")
    with time_machine.travel(at(11, 6, 1), tick=False):
        rules_run(day=dt.date(2026, 11, 3))  # the 3rd judged again: still unverified then
    assert _r17(city, 5)[0]["evidence"]["read_late"] == 1


def test_a_re_entry_needs_its_own_card_read(city, gate):
    _hangzhou()
    first = _enter(city, WORKER, "陈大勇")
    _send(gate, at(11, 2, 7, 31), [card("C-1", WORKER, at(11, 2, 7, 30))])
    with time_machine.travel(at(11, 3, 18), tick=False):
        left = city.client("contractor").post(
            f"/api/v1/projects/{city.project.permit_no}/engagements/{first}/exit/",
            {"exited_on": "2026-11-03", "settlement_confirmed": True},
            format="json",
        )
    assert left.status_code == 200, left.content
    _enter(city, WORKER, "陈大勇", on="2026-11-10")
    _send(gate, at(11, 10, 8, 1), [punch("F-10", WORKER, at(11, 10, 8))])
    nights(dt.date(2026, 11, 10), dt.date(2026, 11, 10))
    assert _r17(city, 10)[0]["evidence"]["names"] == ["陈大勇"]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"card_valid_from": "2016-05-01"}, "give both"),
        ({"card_valid_from": "2016-05-01", "card_valid_until": "2036-02-30"}, "real dates"),
        ({"card_valid_from": "2036-05-01", "card_valid_until": "2016-05-01"}, "before card_valid_from"),
        ({"card_valid_from": "2016-05-01", "card_valid_until": "forever"}, "card_valid_until"),
        ({"card_valid_from": "2016-05-01", "card_valid_until": "长期", "method": "face"}, "only with method id_card"),
    ],
)
def test_a_malformed_card_read_is_refused_by_itself(city, gate, fields, message):
    _enter(city, WORKER, "陈大勇")
    bad = {**punch("BAD", WORKER, at(11, 2, 7, 30), method="id_card"), **fields}
    with time_machine.travel(at(11, 2, 7, 31), tick=False):
        answer = gate.punches([bad, card("GOOD", WORKER, at(11, 2, 7, 30), valid_until="长期")])
    body = answer.json()
    assert answer.status_code == 200 and (body["accepted"], body["rejected"]) == (1, 1)
    assert body["results"][0]["error"]["code"] == "invalid_card" and message in body["results"][0]["error"]["message"]
    entry = _engagements(city)["陈大勇"]
    assert entry["card_checked_at"].startswith("2026-11-02T") and entry["card_valid_until"] is None  # 长期
