"""R15 without a database: the two thresholds of 吉建管〔2021〕6号 附件1第3项 and the policy's minimum."""

from __future__ import annotations

import datetime as dt

from inspections.rules.r15_worker_shortfall import SiteCount, evaluate

DAY = dt.date(2026, 11, 20)


def _judge(headcount: int, attended: int, *, min_shortfall: int = 1, penalty_shortfall: int = 15):
    counts = [SiteCount(7, 1, "海曙中心小学迁建工程", DAY, headcount, attended)]
    return evaluate(counts, min_shortfall=min_shortfall, penalty_shortfall=penalty_shortfall)


def test_it_finds_nothing_when_every_worker_seen_attended():
    assert _judge(40, 40) == []
    assert _judge(40, 45) == []


def test_a_shortfall_of_one_to_fifteen_asks_for_rectification():
    for attended in (39, 25):
        (finding,) = _judge(40, attended)
        assert finding.evidence["severity"] == "rectify"
        assert finding.evidence["shortfall"] == 40 - attended


def test_a_shortfall_of_more_than_fifteen_asks_for_a_penalty():
    (finding,) = _judge(40, 24)
    assert (finding.evidence["shortfall"], finding.evidence["severity"]) == (16, "penalty")
    assert (finding.rule, finding.subject_type, finding.subject_id, finding.period_start) == (
        "R15",
        "inspection",
        7,
        DAY,
    )


def test_the_smallest_shortfall_that_counts_is_a_policy_setting():
    assert _judge(40, 38, min_shortfall=3) == []
    assert _judge(40, 37, min_shortfall=3)[0].evidence["shortfall"] == 3


def test_the_penalty_threshold_is_a_policy_setting_too():
    assert _judge(40, 30, penalty_shortfall=5)[0].evidence["severity"] == "penalty"
