"""The night's alert writes under a second run of the same rule at the same moment (a retried part, a
`manage.py run_rules` beside the beat): one alert per occurrence, whichever run inserts first, and the later
run continues it instead of failing or writing a second."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from inspections.models import Alert
from inspections.rules import rule
from inspections.rules.base import Finding
from inspections.services import alerts_apply

DAY = dt.date(2026, 11, 24)


def _finding(project) -> Finding:
    return Finding("R01", project.pk, "project", project.pk, project.name, DAY, DAY, evidence={"devices": 0})


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_writing_the_same_new_alert_leave_one_and_the_later_continues_it(city):
    spec, findings = rule("R01"), [_finding(city.project)]
    first_wrote, first_may_commit, second_pid, answers = threading.Event(), threading.Event(), [], {}

    def first():
        try:
            with transaction.atomic():
                answers["first"] = alerts_apply(spec=spec, day=DAY, findings=findings, now=timezone.now(), go_live={})
                first_wrote.set()
                first_may_commit.wait(30)
        finally:
            connections.close_all()

    def second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            # It reads no live alert (the first run's is not committed) and inserts the same key: PostgreSQL holds
            # the insert until the first run ends, then refuses it on the one-live-alert-per-key constraint.
            answers["second"] = alerts_apply(spec=spec, day=DAY, findings=findings, now=timezone.now(), go_live={})
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_wrote.wait(30)
    two = threading.Thread(target=second)
    two.start()
    for _ in range(300):  # until the second run's insert waits on the first's row
        if second_pid and _waiting_on_a_lock(second_pid[0]):
            break
        threading.Event().wait(0.05)
    else:
        first_may_commit.set()
        pytest.fail("the second run never waited on the first one's insert")
    first_may_commit.set()
    one.join(30)
    two.join(30)

    (alert,) = Alert.objects.filter(rule="R01", project=city.project)
    assert alert.state == "open" and alert.period_start == alert.period_end == DAY
    assert (answers["first"].new, answers["first"].updated) == (1, 0)
    assert (answers["second"].new, answers["second"].updated) == (0, 1)
    assert answers["first"].ids == answers["second"].ids == {findings[0].key: alert.pk}
