"""make bench-sync: a day of the city's attendance and a month's payrolls sent upward (issue 29).

1. The rules benchmark's city (bench/reports.py builds it: 2,000 projects, 100,000 people, October 2026), copied
   to a database of its own (smz_bench_sync), so that the run leaves the city as it was for the other benchmarks.
2. The receiver knows the city's registry already (its projects, teams and workers accepted before, their
   receiver ids kept): what is measured is the day's traffic, not the first upload of a city.
3. October's wage sheets (one a project for its workers, the bank's results in) are written to the outbox, and
   the night of 15 October is complete: its judged punches are written to the outbox (attendance_enqueue).
4. The simulated receiver (upward/simulator.py) runs in a process of its own at the lowest priority (it stands
   for another machine), with a limit of RATE calls a minute.
5. The device intake's batched throughput (bench/intake.py's gunicorn, 2 workers, on its own database in the same
   cluster) is measured alone, then again while 2 sender processes send everything through the real client.

Prints the figures, and last one JSON line. BENCH_SMOKE=1 runs it on the smoke city.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import intake, reports  # noqa: E402
from bench import rules as city  # noqa: E402
from bench.size import pick  # noqa: E402

DB = pick("smz_bench_sync", "smz_bench_sync_smoke")
DAY = dt.date(2026, 10, 15)
PORT = pick(8791, 8793)
RATE = 3000  # calls a minute the receiver allows (its own setting; a province's real limit decides its time)
BATCH = 500  # records a call at most (a team's punches of a day are fewer)
SENDERS = 2
SENDER_NICE = 3
TARGET_S = 300
LIMIT_S = pick(1200, 300)  # the senders give up after this
INTAKE_RUNS = pick(3, 1)
APPID, SECRET = "bench-sync-appid", "24484b262dd63dd584902a266bdbdca0"


def environment() -> dict[str, str]:
    env = city.environment()
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    # The senders share the receiver's calls a minute through Redis (upward/pacing.py), as in production; a
    # database of their own, not the intake's (11) nor a test worker's.
    env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
    return env


def copy_city() -> None:
    import psycopg2

    admin = psycopg2.connect(intake.ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN (%s, %s)", [city.DB, DB]
        )
        cursor.execute(f"DROP DATABASE IF EXISTS {DB}")
        cursor.execute(f"CREATE DATABASE {DB} TEMPLATE {city.DB}")
    admin.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment(), check=True)


BUILD_INTAKE = """
import json, sys
sys.path.insert(0, ".")
from bench import intake
print(json.dumps(intake.build_database()))
"""


def build_intake() -> dict:
    """bench/intake.py's database (its Django set up in a process of its own: ours talks to the city's copy)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    result = subprocess.run(
        [sys.executable, "-c", BUILD_INTAKE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def setup_django() -> None:
    os.environ.update(environment())
    import django

    django.setup()


def seed(simulated) -> dict:
    """The registry as the receiver has it, October's payrolls in the outbox, the 15th's night complete."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from attendance.models import DailyPresence
    from inspections.models import NightlyRun, RunState
    from projects.models import Engagement, Person, Project, Region
    from smz_platform.common import pii
    from upward import records
    from upward.models import ORDER, OutboxItem, OutboxState, Receiver, ReceiverLevel, RecordKind
    from wages.choices import BankStatus, SheetState
    from wages.models import WageLine, WageSheet

    now = timezone.now()
    receiver = Receiver(
        region=Region.objects.get(level="city"),
        name="基准省平台",
        level=ReceiverLevel.PROVINCIAL,
        url=f"http://127.0.0.1:{PORT}/",
        appid=APPID,
        batch_size=BATCH,
        calls_per_minute=RATE,
        attendance_through=DAY - dt.timedelta(days=1),
    )
    receiver.set_secret(SECRET)
    receiver.save()

    def accepted(kind: str, key: str, project_id: int, reference: str = "") -> OutboxItem:
        return OutboxItem(
            receiver=receiver,
            kind=kind,
            rank=ORDER[kind],
            key=key,
            project_id=project_id,
            state=OutboxState.ACCEPTED,
            due_at=now,
            reference=reference,
            done_at=now,
        )

    items, codes, teams, team_numbers = [], {}, {}, iter(range(100001, 10**9))
    for project_id in Project.objects.values_list("pk", flat=True):
        codes[project_id] = f"SIM{project_id:012d}"
        simulated.store.projects[codes[project_id]] = {"projectCode": codes[project_id]}
        items.append(accepted(RecordKind.PROJECT, str(project_id), project_id, codes[project_id]))
    numbers = give_numbers(Person)
    engagements = list(
        Engagement.objects.only("pk", "person_id", "project_id", "employer_id", "category", "team", "trade")
    )
    for engagement in engagements:
        key = records.team_key(engagement)
        if key not in teams:
            teams[key] = next(team_numbers)
            simulated.store.teams[teams[key]] = {"teamName": key}
            items.append(accepted(RecordKind.TEAM, key, engagement.project_id, str(teams[key])))
        simulated.store.workers[(codes[engagement.project_id], numbers[engagement.person_id])] = {}
        items.append(accepted(RecordKind.WORKER, str(engagement.pk), engagement.project_id))

    # October's wages: a sheet a project for its workers, paid as due (300 yuan a valid day), the bank's word in.
    days = dict(
        DailyPresence.objects.filter(day__gte=DAY.replace(day=1), day__lte=city.LAST, valid_count__gt=0)
        .values_list("person_id")
        .annotate(days=Count("*"))
        .values_list("person_id", "days")
    )
    clerk = get_user_model().objects.create(username="bench-sync-clerk", role="city")
    workers: dict[tuple[int, int], list] = {}
    for engagement in engagements:
        if engagement.category == "worker" and days.get(engagement.person_id):
            workers.setdefault((engagement.project_id, engagement.employer_id), []).append(engagement)
    with transaction.atomic():
        OutboxItem.objects.bulk_create(items, batch_size=5000)
        sheets = WageSheet.objects.bulk_create(
            [
                WageSheet(
                    project_id=project_id,
                    employer_id=employer_id,
                    team="",
                    month=DAY.replace(day=1),
                    state=SheetState.CONFIRMED,
                    prepared_by=clerk,
                    prepared_at=now,
                    confirmed_by=clerk,
                    confirmed_at=now,
                )
                for project_id, employer_id in workers
            ],
            batch_size=2000,
        )
        card = "6222021234567890128"
        card_encrypted, card_masked = pii.encrypt_as(card, pii.BANK_ACCOUNT), pii.mask_bank_account(card)
        lines = []
        for sheet in sheets:
            for engagement in workers[(sheet.project_id, sheet.employer_id)]:
                due = Decimal(300 * days[engagement.person_id])
                lines.append(
                    WageLine(
                        sheet=sheet,
                        engagement_id=engagement.pk,
                        person_id=engagement.person_id,
                        attended_days=days[engagement.person_id],
                        due=due,
                        paid=due,
                        paid_on=dt.date(2026, 11, 10),
                        card_encrypted=card_encrypted,
                        card_masked=card_masked,
                        bank_status=BankStatus.PAID,
                        bank_amount=due,
                        bank_paid_on=dt.date(2026, 11, 10),
                        bank_result_at=now,
                    )
                )
        WageLine.objects.bulk_create(lines, batch_size=5000)
        OutboxItem.objects.bulk_create(
            [
                OutboxItem(
                    receiver=receiver,
                    kind=RecordKind.PAYROLL,
                    rank=ORDER[RecordKind.PAYROLL],
                    key=str(sheet.pk),
                    project_id=sheet.project_id,
                    due_at=now,
                )
                for sheet in sheets
            ],
            batch_size=5000,
        )
        # The copy stands for the morning after DAY: its night is the last complete one, so that one day's
        # punches go up (the rules benchmark judged every night of October).
        NightlyRun.objects.filter(day__gte=DAY).delete()
        NightlyRun.objects.create(
            day=DAY,
            part="",
            state=RunState.COMPLETE,
            token="bench-sync",
            started_at=now,
            heartbeat_at=now,
            finished_at=now,
        )
    return {"receiver": receiver.pk, "payrolls": len(sheets), "payroll_lines": len(lines), "teams": len(teams)}


def give_numbers(person_model) -> dict[int, str]:
    """The city's people carry placeholder ciphertexts (the rules never decrypt): each gets a real ID number,
    encrypted under the platform's key, since what goes upward carries it. Written by COPY and one UPDATE."""
    import io

    from django.db import connection
    from stdnum.cn import ric

    from smz_platform.common import pii

    numbers = {}
    for pk in person_model.objects.values_list("pk", flat=True):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=pk // 1000)
        body = f"341221{born:%Y%m%d}{pk % 1000:03d}"
        numbers[pk] = body + ric.calc_check_digit(body)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_numbers (id bigint, encrypted text)")
        rows = "".join(f"{pk}\t{pii.encrypt(number)}\n" for pk, number in numbers.items())
        cursor.copy_expert("COPY bench_numbers FROM STDIN", io.StringIO(rows))
        cursor.execute(
            "UPDATE projects_person p SET id_number_encrypted = n.encrypted FROM bench_numbers n WHERE n.id = p.id"
        )
        cursor.execute("DROP TABLE bench_numbers")
    return numbers


def serve(simulated, results) -> None:
    """The receiver's process: lowest priority, as another machine would not take this one's cores."""
    from upward.simulator import serve_in_thread

    os.nice(19)
    server = serve_in_thread(simulated, port=PORT)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    server.shutdown()
    store = simulated.store
    results.put({"attendance": len(store.attendance), "payrolls": len(store.payrolls), "calls": len(store.calls)})


SEND = """
import django, json, sys, time
django.setup()
from upward.models import OPEN_STATES, OutboxItem, Receiver
from upward.sending import outbox_send
receiver, limit = Receiver.objects.get(pk=int(sys.argv[1])), float(sys.argv[2])
started, totals = time.monotonic(), {"calls": 0, "accepted": 0, "failed": 0, "retried": 0}
while time.monotonic() - started < limit:
    done = outbox_send(receiver=receiver, budget_seconds=30)
    for name in totals:
        totals[name] += getattr(done, name)
    if not OutboxItem.objects.filter(receiver=receiver, state__in=OPEN_STATES).exists():
        break
    if not (done.calls or done.polled):
        time.sleep(0.5)
print(json.dumps(totals))
"""


PLAN: dict = {}  # the intake database's devices and people (bench/intake.py's build_database)


INTAKE_ERRORS: list[str] = []  # batches the intake failed while measured (each one's status and answer)


def intake_rate(seed_base: int) -> float:
    """One batched run of the intake benchmark (2 clients, their batches of 500): punches a second."""
    intake.RUN = f"{seed_base:03d}{int(time.time()) % 1000:03d}"  # record ids new to this run
    groups = [PLAN["devices"][i :: intake.BATCH_CLIENTS] for i in range(intake.BATCH_CLIENTS)]
    start_at, results = intake.run_clients(intake.batch_client, groups, lambda i: (), seed_base=seed_base)
    for error in (errors := [error for r in results for error in r["errors"]]):
        print(f"  the intake failed a batch: {error}", flush=True)
    INTAKE_ERRORS.extend(errors)
    return sum(r["accepted"] for r in results) / (max(r["finished"] for r in results) - start_at)


def main() -> None:
    print(f"machine: {intake.machine()}")
    reports.prepare()
    print(f"copying the city to {DB} …", flush=True)
    copy_city()
    print("building the intake's database …", flush=True)
    PLAN.update(build_intake())
    intake.PEOPLE = PLAN["people"]
    setup_django()
    from django.db import connections
    from django.db.models import Count

    from upward.models import OutboxItem, OutboxState, Receiver, RecordKind
    from upward.services import attendance_enqueue
    from upward.simulator import Receiver as Simulated

    simulated = Simulated(credentials={APPID: SECRET}, calls_per_minute=RATE)
    started = time.perf_counter()
    seeded = seed(simulated)
    print(
        f"  the receiver knows the registry; October's payrolls in the outbox: {seeded} "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    receiver = Receiver.objects.get(pk=seeded["receiver"])
    started = time.perf_counter()
    punches = attendance_enqueue(receiver=receiver)
    enqueue_s = time.perf_counter() - started
    print(f"  the night of {DAY}: {punches} judged punches written to the outbox in {enqueue_s:.1f} s", flush=True)

    connections.close_all()  # the receiver's process is forked: it must not share (and close) our connection
    results: mp.Queue = mp.Queue()
    receiver_process = mp.get_context("fork").Process(target=serve, args=(simulated, results))
    receiver_process.start()
    server = intake.start_server()
    senders: list[subprocess.Popen] = []  # stopped in `finally` if the run fails half-way
    try:
        intake_rate(90)  # the warm-up: every gunicorn thread opens its connection
        alone = [intake_rate(100 + n) for n in range(INTAKE_RUNS)]
        print(f"  intake alone: {', '.join(f'{r:,.0f}' for r in alone)} punches/s", flush=True)
        began = time.perf_counter()
        senders += [
            subprocess.Popen(
                [sys.executable, "-c", SEND, str(receiver.pk), str(LIMIT_S)],
                cwd=ROOT,
                env=environment(),
                stdout=subprocess.PIPE,
                text=True,
                # The worker's CPU weight in docker-compose.yml (cpu_shares 512 of the web's 1024) is about nice 3.
                preexec_fn=lambda: os.nice(SENDER_NICE),
            )
            for _ in range(SENDERS)
        ]
        sharing, n = [], 0
        while any(s.poll() is None for s in senders):
            rate = intake_rate(200 + n)
            n += 1
            # A run that ended after the sending is not counted, unless the sending was over before any run ended
            # (the smoke city's): then the one run that began while it went on is the measure.
            if any(s.poll() is None for s in senders) or not sharing:
                sharing.append(rate)
            time.sleep(1)
        send_s = time.perf_counter() - began
        totals = [json.loads(s.stdout.read().strip().splitlines()[-1]) for s in senders]
    finally:
        for sender in senders:
            if sender.poll() is None:
                sender.terminate()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        receiver_process.terminate()
    received = results.get(timeout=60)
    receiver_process.join(timeout=30)
    states = dict(
        OutboxItem.objects.filter(receiver=receiver, kind__in=[RecordKind.ATTENDANCE, RecordKind.PAYROLL])
        .values_list("state")
        .annotate(n=Count("*"))
        .values_list("state", "n")
    )
    accepted, failed = states.get(OutboxState.ACCEPTED, 0), states.get(OutboxState.FAILED, 0)
    withheld = states.get(OutboxState.WITHHELD, 0)  # held back here (a punch outside its worker's stay)
    intake_alone = statistics.mean(alone)
    intake_sharing = statistics.mean(sharing)
    retried, calls = sum(t["retried"] for t in totals), sum(t["calls"] for t in totals)
    print(
        f"  sent with {SENDERS} processes in {send_s:.0f} s (target ≤ {TARGET_S} s): {accepted} records accepted, "
        f"{failed} refused, {withheld} withheld, {retried} retried, {calls} calls; "
        f"the receiver holds {received['attendance']} punches and {received['payrolls']} payrolls"
    )
    print(
        f"  intake while sending: {', '.join(f'{r:,.0f}' for r in sharing)} punches/s = "
        f"{intake_sharing / intake_alone:.0%} of alone (target ≥ 80%); {len(INTAKE_ERRORS)} batches failed"
    )
    print(
        json.dumps(
            {
                "punches": punches,
                "payrolls": seeded["payrolls"],
                "enqueue_s": round(enqueue_s, 1),
                "send_s": round(send_s, 1),
                "accepted": accepted,
                "withheld": withheld,
                "failed": failed,
                "received_punches": received["attendance"],
                "received_payrolls": received["payrolls"],
                "intake_alone_per_s": round(intake_alone),
                "intake_sharing_per_s": round(intake_sharing),
                "intake_ratio": round(intake_sharing / intake_alone, 3),
                "intake_errors": len(INTAKE_ERRORS),
            }
        )
    )


if __name__ == "__main__":
    main()
