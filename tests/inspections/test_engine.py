"""The nightly run over the database: alerts upserted once, cleared conditions resolved, dismissals
kept, the double-run guard, the beat entry, and manage.py run_rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from devices.models import Device
from inspections.engine import RunInProgress, rules_run
from inspections.models import Alert, NightlyRun, RuleRun
from inspections.rules import codes
from inspections.services.triage import alert_dismiss
from inspections.tasks import run_rules_nightly_task

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def alerts(rule=None):
    qs = Alert.objects.all() if rule is None else Alert.objects.filter(rule=rule)
    return sorted((a.rule, a.project.permit_no, a.state, str(a.period_start), str(a.period_end)) for a in qs)


def test_a_project_without_a_device_gets_one_alert_however_often_the_rules_run(city):
    day = dt.date(2026, 11, 24)
    rules_run(day=day)
    rules_run(day=day)
    rules_run(day=day + dt.timedelta(days=1))
    r01 = Alert.objects.filter(rule="R01")
    assert sorted(a.project.permit_no for a in r01) == sorted([city.project.permit_no, city.other_project.permit_no])
    assert all(a.state == "open" for a in r01)
    assert RuleRun.objects.filter(rule="R01").count() == 3


def test_an_alert_resolves_when_its_condition_clears(city):
    rules_run(day=dt.date(2026, 11, 24))
    Device.objects.create(
        serial="NEW-1",
        project=city.project,
        vendor=city.vendor,
        kind="gate",
        connection="direct",
        location="entrance",
        secret_encrypted="x",
    )
    rules_run(day=dt.date(2026, 11, 25))
    states = {a.project.permit_no: a.state for a in Alert.objects.filter(rule="R01")}
    assert states == {city.project.permit_no: "resolved", city.other_project.permit_no: "open"}


def test_a_dismissed_alert_does_not_come_back(city):
    rules_run(day=dt.date(2026, 11, 24))
    alert = Alert.objects.get(rule="R01", project=city.project)
    alert_dismiss(user=city.users["haishu"], alert=alert, reason="设备已安装，待对接")
    rules_run(day=dt.date(2026, 11, 25))
    assert Alert.objects.filter(rule="R01", project=city.project).count() == 1
    assert Alert.objects.get(rule="R01", project=city.project).state == "dismissed"


def test_a_platform_device_without_a_docking_permit_fires_r02(city):
    Device.objects.create(
        serial="PLAT-1",
        project=city.project,
        vendor=city.vendor,
        kind="gate",
        connection="platform",
        location="entrance",
        secret_encrypted="x",
    )
    rules_run(day=dt.date(2026, 11, 24))
    assert [a.subject for a in Alert.objects.filter(rule="R02")] == ["PLAT-1"]


def test_a_status_change_made_in_the_admin_fires_r05(city):
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH), tick=False):
        city.project.status = "completed"
        city.project.completed_on = dt.date(2026, 11, 24)
        city.project.save(changed_by=city.users["city"])
    rules_run(day=dt.date(2026, 11, 24))
    assert sorted(a.subject for a in Alert.objects.filter(rule="R05")) == [
        "竣工日期：空 → 2026年11月24日",
        "项目状态：在建 → 完工",
    ]


def test_the_run_is_recorded_per_rule(city):
    rules_run(day=dt.date(2026, 11, 24))
    assert set(RuleRun.objects.values_list("rule", flat=True)) == {
        "R01",
        "R02",
        "R03",
        "R04",
        "R05",
        "R06",
        "R07",
        "R08",
        "R09",
        "R10",
        "R11",
        "R12",
        "R13",
        "R14",
        "R15",
        "R16",
        "R17",
        *(f"W{n}" for n in range(1, 8)),  # the wage rules, gathered from the wages app
        "C1",  # the complaints' deadline, from the rights app
    }


def test_a_second_run_while_one_holds_the_claim_is_refused(city):
    # Another worker is running the day: its claim's heartbeat is fresh.
    NightlyRun.objects.create(
        day=dt.date(2026, 11, 24),
        state="running",
        token="another-worker",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(RunInProgress):
        rules_run(day=dt.date(2026, 11, 24))
    # The task never passes a night it did not run as done: in-process it says so (a worker retries it
    # after the claim's lease: make test-faults kills a worker mid-run and sees the night completed).
    with pytest.raises(RunInProgress):
        run_rules_nightly_task.delay("2026-11-24").get()
    with pytest.raises(CommandError, match="in progress"):
        call_command("run_rules", "--date", "2026-11-24", stdout=io.StringIO())
    assert not RuleRun.objects.exists()
    # The holder finishes: the claim is free again, and the run records its own completion.
    NightlyRun.objects.filter(day=dt.date(2026, 11, 24), part="").update(state="complete")
    rules_run(day=dt.date(2026, 11, 24))
    assert NightlyRun.objects.get(day=dt.date(2026, 11, 24), part="").state == "complete"


def test_a_claim_whose_holder_died_is_taken_over(city, settings):
    stale = timezone.now() - dt.timedelta(seconds=settings.SMZ_RULES_RUN_LEASE_SECONDS + 1)
    NightlyRun.objects.create(
        day=dt.date(2026, 11, 24), state="running", token="dead-worker", started_at=stale, heartbeat_at=stale
    )
    rules_run(day=dt.date(2026, 11, 24))
    run = NightlyRun.objects.get(day=dt.date(2026, 11, 24), part="")
    assert (run.state, run.attempts) == ("complete", 2)
    assert RuleRun.objects.filter(day=dt.date(2026, 11, 24)).count() == len(codes())


def test_a_night_looks_for_cleared_conditions_only_under_the_rules_with_an_open_alert(city):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rules_run(day=dt.date(2026, 11, 23))
    open_rules = set(Alert.objects.filter(state__in=["open", "acknowledged"]).values_list("rule", flat=True))
    assert "R01" in open_rules  # Haishu's project has no device
    with CaptureQueriesContext(connection) as night:
        rules_run(day=dt.date(2026, 11, 24))
    resolving = {
        rule
        for query in night.captured_queries
        if query["sql"].startswith('UPDATE "inspections_alert" SET "state"')
        for rule in re.findall(r""""inspections_alert"."rule" = '(\w+)'""", query["sql"])
    }
    assert "R01" in resolving and resolving <= open_rules


def test_a_rule_that_fails_leaves_the_rules_judged_before_it_recorded_and_the_night_failed(city, monkeypatch, request):
    import dataclasses

    from inspections.engine import order_of_judgement
    from inspections.rules import r09_low_score, registry

    def broken(ctx):
        raise RuntimeError("R09's inputs could not be read")

    monkeypatch.setattr(r09_low_score, "SPEC", dataclasses.replace(r09_low_score.SPEC, collect=broken))
    registry.cache_clear()  # the registry is read once per process: again with the broken rule, and after it
    request.addfinalizer(registry.cache_clear)
    with pytest.raises(RuntimeError, match="R09"):
        rules_run(day=dt.date(2026, 11, 24))
    order = [spec.code for spec in order_of_judgement()]
    assert set(RuleRun.objects.values_list("rule", flat=True)) == set(order[: order.index("R09")])
    night = NightlyRun.objects.get(day=dt.date(2026, 11, 24), part="")
    assert night.state == "failed" and "R09's inputs" in night.error


def test_a_run_taken_over_while_it_stalled_stops_at_its_next_beat(city, settings):
    import time

    from inspections.engine.claims import ClaimLost, claim_take

    settings.SMZ_RULES_RUN_LEASE_SECONDS = 1
    day = dt.date(2026, 11, 24)
    held = claim_take(day=day)
    written = NightlyRun.objects.get(day=day).heartbeat_at
    held.beat()  # within a tenth of the lease of the take: nobody can have taken it, nothing is written
    assert NightlyRun.objects.get(day=day).heartbeat_at == written
    # The holder stalls past its lease; another run takes the day over.
    stale = timezone.now() - dt.timedelta(seconds=2)
    NightlyRun.objects.filter(day=day).update(heartbeat_at=stale)
    taker = claim_take(day=day)
    time.sleep(0.15)  # past a tenth of the (one-second) lease since the stalled holder last wrote
    with pytest.raises(ClaimLost):
        held.beat()
    taker.beat()
    run = NightlyRun.objects.get(day=day)
    assert (run.token, run.state, run.attempts) == (taker.token, "running", 2)
    assert run.heartbeat_at > stale


def test_the_nightly_run_is_at_half_past_one_for_yesterday(city):
    entry = settings.CELERY_BEAT_SCHEDULE["run-rules-nightly"]
    assert entry["task"] == "inspections.tasks.run_rules_nightly_task"
    assert entry["schedule"] == crontab(hour=1, minute=30)
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 30, tzinfo=SH), tick=False):
        run_rules_nightly_task.delay()
    assert set(RuleRun.objects.values_list("day", flat=True)) == {dt.date(2026, 11, 24)}


def test_run_rules_prints_a_line_per_rule_and_takes_a_range(city):
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SH), tick=False):
        call_command("run_rules", "--from", "2026-11-22", "--to", "2026-11-24", stdout=out)
    text = out.getvalue()
    assert text.count("R01:") == 3 and "2026-11-22:" in text and "2026-11-24:" in text
    assert Alert.objects.filter(rule="R01").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-11-31"], "not a date"),
        (["--from", "2026-11-20"], "go together"),
        (["--from", "2026-11-20", "--to", "2026-11-10"], "before"),
        (["--date", "2026-11-25"], "not ended"),
        (["--date", "2026-11-20", "--from", "2026-11-01", "--to", "2026-11-02"], "not both"),
    ],
)
def test_run_rules_refuses_bad_dates(city, args, message):
    with (
        time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SH), tick=False),
        pytest.raises(CommandError, match=message),
    ):
        call_command("run_rules", *args, stdout=io.StringIO())


def test_a_complete_night_is_not_run_again_and_the_watchdog_queues_a_missing_one(city):
    from inspections.tasks import nightly_run_watchdog_task

    with time_machine.travel(dt.datetime(2026, 11, 25, 2, 0, tzinfo=SH), tick=False):
        # The beat was down at 01:30: no night for the 24th. The watchdog queues it (eager: runs it now).
        assert nightly_run_watchdog_task.delay().get() == "queued"
        assert NightlyRun.objects.get(day=dt.date(2026, 11, 24), part="").state == "complete"
        ran = RuleRun.objects.count()
        assert nightly_run_watchdog_task.delay().get() == "complete"
        assert run_rules_nightly_task.delay("2026-11-24").get() == 0  # a second beat: nothing run twice
        assert RuleRun.objects.count() == ran
        # A night being run right now (fresh heartbeat) is left to its holder.
        night = NightlyRun.objects.filter(day=dt.date(2026, 11, 24), part="")
        night.update(state="running", heartbeat_at=timezone.now())
        assert nightly_run_watchdog_task.delay().get() == "running"
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-run-watchdog"]
    assert entry["task"] == "inspections.tasks.nightly_run_watchdog_task"
    assert entry["schedule"] == crontab(hour="2-9", minute="*/15")


def test_a_night_reads_the_wage_rules_live_months_once(city):
    """W1–W4 each judge the months with a live alert of theirs: one read a night serves the four."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wages.rules import MONTHLY

    with CaptureQueriesContext(connection) as night:
        rules_run(day=dt.date(2026, 11, 24))
    reads = [
        query["sql"]
        for query in night.captured_queries
        if query["sql"].startswith("SELECT")
        and re.search(r""""inspections_alert"."rule" (= 'W[1-4]'|IN \('W)""", query["sql"])
    ]
    assert len(reads) == 1 and all(f"'{code}'" in reads[0] for code in MONTHLY), reads
