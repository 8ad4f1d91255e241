"""R12 on a site silent for longer than the lookback: one alert that goes on, night after night."""

from __future__ import annotations

import datetime as dt

import pytest

from inspections.engine import rules_run
from inspections.models import Alert
from tests.factories import ProjectFactory, engage

pytestmark = pytest.mark.django_db


def test_a_streak_longer_than_the_lookback_stays_one_alert(city):
    silent = ProjectFactory(district=city.haishu, planned_start=dt.date(2026, 7, 1), actual_start=dt.date(2026, 7, 1))
    engage(silent, city.contractor, entered_on=dt.date(2026, 7, 1))
    for offset in range(8):  # 5 to 12 September: more than 62 days after the start, never a punch
        rules_run(day=dt.date(2026, 9, 5) + dt.timedelta(days=offset))
    alerts = list(Alert.objects.filter(rule="R12", project=silent, subject_code="workers"))
    assert len(alerts) == 1
    (alert,) = alerts
    assert (alert.state, alert.period_start, alert.period_end) == ("open", dt.date(2026, 7, 5), dt.date(2026, 9, 12))


def test_a_dismissed_long_streak_does_not_come_back_under_a_new_start(city):
    silent = ProjectFactory(district=city.haishu, planned_start=dt.date(2026, 7, 1), actual_start=dt.date(2026, 7, 1))
    engage(silent, city.contractor, entered_on=dt.date(2026, 7, 1))
    rules_run(day=dt.date(2026, 9, 5))
    Alert.objects.filter(rule="R12", project=silent).update(state="dismissed", dismissed_reason="停工待复工")
    for offset in range(1, 4):
        rules_run(day=dt.date(2026, 9, 5) + dt.timedelta(days=offset))
    states = Alert.objects.filter(rule="R12", project=silent, subject_code="workers").values_list("state", flat=True)
    assert list(states) == ["dismissed"]
