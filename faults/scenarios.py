"""The fault suite's scenarios (issue 16). Each returns its Check and the facts it asserts; run.py prints
them and fails the run when a fact is false."""

from __future__ import annotations

import base64
import collections
import datetime as dt
import json
import os
import threading
import time
from pathlib import Path

from faults import stack
from faults.load import SHANGHAI, Device, Ledger, check, run_load

SEED = """
import datetime as dt, random
from devices.services import device_register
from devices.simulator import make_id_number
from projects.choices import ParticipantRole, RegionLevel, Role
from projects.models import Enterprise, Project, ProjectParticipant, Region, User
from tests.factories import credit_code, engage, person
rng = random.Random(16)
city = Region.objects.create(code="330200", name="宁波市", level=RegionLevel.CITY)
district = Region.objects.create(code="330203", name="海曙区", level=RegionLevel.DISTRICT, parent=city)
contractor = Enterprise.objects.create(uscc=credit_code(1), name="故障演练总包", is_contractor=True)
vendor = Enterprise.objects.create(uscc=credit_code(2), name="故障演练设备商", is_vendor=True)
user = User.objects.create(username="faults", role=Role.CITY)
today = dt.date.today()
plan = []
for p in range(4):
    project = Project.objects.create(permit_no=f"FAULT{p:04d}", name=f"演练工程{p}", district=district,
                                     kind="building", building_area_m2=10000, contract_cost_yuan=1,
                                     planned_start=today - dt.timedelta(days=90), status="active")
    ProjectParticipant.objects.create(project=project, enterprise=contractor, role=ParticipantRole.CONTRACTOR)
    ProjectParticipant.objects.create(project=project, enterprise=vendor, role=ParticipantRole.VENDOR)
    numbers = sorted({make_id_number(rng) for _ in range(30)})
    for number in numbers:
        engage(project, contractor, person(number, "工人"), entered_on=today - dt.timedelta(days=60))
    for d in range(3):
        registered = device_register(user=user, project=project, serial=f"FAULT-{p}-{d}", vendor=vendor,
                                     model="faults", kind="gate", connection="direct", location="entrance")
        plan.append({"serial": registered.device.serial, "secret": registered.secret, "numbers": numbers})
print(json.dumps({"devices": plan}))
"""


def seed() -> list[dict]:
    return stack.django(SEED)["devices"]


def devices_of(plan: list[dict], ledger: Ledger, tag: str) -> list[Device]:
    """The seeded devices, their record ids carrying the scenario's tag: scenarios never share a record id."""
    return [Device(d["serial"], d["secret"], d["numbers"], ledger, tag=tag) for d in plan]


def _serials(devices: list[Device]) -> list[str]:
    return [d.serial for d in devices]


# --- 1. PostgreSQL restarted under load ------------------------------------------------------------------


def postgres_restarted(st: stack.Stack, plan: list[dict]) -> tuple:
    ledger = Ledger()
    devices = devices_of(plan, ledger, "A")[:8]
    load = threading.Thread(target=run_load, args=(devices,), kwargs={"seconds": 20})
    load.start()
    time.sleep(5)
    stack.pg_stop()
    time.sleep(4)  # devices meet a database that is gone
    stack.pg_start()
    load.join()
    result = check(ledger, _serials(devices), stack.DB)
    facts = {
        "devices got 503 while the database was down": ledger.statuses.get(503, 0) > 0,
        "every 503 and 429 said when to retry (Retry-After)": ledger.unhinted == 0,
        "every request was answered (no dropped connection)": ledger.statuses.get(0, 0) == 0,
        "no answer was a 500": not any(500 <= s < 600 and s != 503 for s in ledger.statuses),
    }
    return result, facts


# --- 2. Redis killed and restarted under load ----------------------------------------------------------


def redis_restarted(st: stack.Stack, plan: list[dict]) -> tuple:
    ledger = Ledger()
    devices = devices_of(plan, ledger, "B")[:8]
    captured_device = devices_of(plan, Ledger(), "B")[9]
    body = json.dumps({"punches": captured_device.records(1)}).encode()
    headers = captured_device.signed("/api/device/v1/punches", body)
    first, _data, _h = captured_device.post("/api/device/v1/punches", body, headers)  # seen on the wire
    load = threading.Thread(target=run_load, args=(devices,), kwargs={"seconds": 20})
    load.start()
    time.sleep(4)
    st.redis_kill()
    time.sleep(0.5)
    during, _d, _h = captured_device.post("/api/device/v1/punches", body, headers)
    # Requests signed in the first seconds after the failure are answered 503 (gateway.FAILOVER_MARGIN_S);
    # after that intake goes on through PostgreSQL, and so must the per-device limit (300 a minute): one
    # device sends heartbeats as fast as it can until it is refused. The limit counts per clock minute, so
    # a burst that crosses a minute's end splits in two; 640 requests put more than 300 in one minute
    # however the boundary falls (they take seconds, so they cross at most one).
    time.sleep(11)
    walker = devices_of(plan, ledger, "B")[8]
    ongoing = walker.push(walker.records(5), deadline=time.time() + 5, give_up_on=(503,))
    limiter = devices_of(plan, Ledger(), "B")[10]
    beat = json.dumps({"liveness_enabled": True}).encode()
    sending, limited = time.time(), []
    while len(limited) < 640 and 429 not in limited:
        limited.append(
            limiter.post("/api/device/v1/heartbeat", beat, limiter.signed("/api/device/v1/heartbeat", beat))[0]
        )
    sending = time.time() - sending
    time.sleep(2)
    st.redis_start()  # empty: every nonce it held is gone
    time.sleep(1)
    after, _d, _h = captured_device.post("/api/device/v1/punches", body, headers)
    load.join()
    result = check(ledger, _serials([*devices, walker]), stack.DB)
    facts = {
        "the captured request was accepted once": first == 200,
        f"intake went on with Redis down ({ongoing})": ongoing == 200,
        "every 503 and 429 said when to retry (Retry-After)": ledger.unhinted == 0,
        "every request was answered (no dropped connection)": ledger.statuses.get(0, 0) == 0,
        f"its replay was refused while Redis was down ({during})": during != 200 and during != 0,
        f"its replay was refused after Redis came back empty ({after})": after != 200 and after != 0,
        f"the per-device limit held with Redis down ({dict(collections.Counter(limited))} in {sending:.1f} s)": (
            429 in limited
        ),
        "no answer was a 500": not any(500 <= s < 600 and s != 503 for s in ledger.statuses),
    }
    return result, facts


# --- 3. A worker killed in the middle of the nightly run ------------------------------------------------


CITY = """
import sys
sys.path.insert(0, ".")
from bench import rules
rules.DB, rules.PROJECTS = "%s", 400
print(__import__("json").dumps(rules.build(1)))
"""


def worker_killed(st: stack.Stack, plan: list[dict]) -> tuple:
    """The month-end night of a 400-project city: the pool process running it is SIGKILLed once a few
    rules are done; the night must complete (another try takes the stale claim over) and equal an
    undisturbed run."""
    import subprocess

    built = subprocess.run(
        [stack.PY, "-c", CITY % stack.CITY_DB],
        cwd=stack.ROOT,
        env=stack.environment(stack.CITY_DB),
        capture_output=True,
        text=True,
        check=True,
    )
    city = json.loads(built.stdout.strip().splitlines()[-1])
    # The devices go on punching (into the platform's own database) while the night runs and dies.
    ledger, stop = Ledger(), threading.Event()
    devices = devices_of(plan, ledger, "C")[:4]
    load = threading.Thread(target=run_load, args=(devices,), kwargs={"seconds": 600, "stop": stop})
    load.start()
    first = st.worker_start("night1", stack.CITY_DB)
    second = st.worker_start("night2", stack.CITY_DB)
    time.sleep(4)
    stack.django(
        "from inspections.tasks import run_rules_nightly_task\n"
        "run_rules_nightly_task.delay('2026-10-31')\nprint(json.dumps({}))",
        stack.CITY_DB,
    )
    # Killed while a part is in a worker's hands: a kill between two parts leaves nothing to retry (the
    # night then completes on its first try and the scenario proves nothing). The parts in hand are read
    # just before the kill; one still held under the same claim a moment later was held by a process
    # that died with it (a killed process writes nothing more, and a stale claim is only taken over
    # after the lease). A part that finished in between is no hit: the night goes on in the workers'
    # new pool processes, and the next part in hand is killed.
    in_hand = "SELECT id || ':' || token FROM inspections_nightlyrun WHERE part <> '' AND state = 'running'"
    held: set[str] = set()

    def part_in_hand() -> bool:
        held.clear()
        if int(stack.psql("SELECT count(*) FROM inspections_rulerun", stack.CITY_DB) or 0) < 3:
            return False
        held.update(stack.psql(in_hand, stack.CITY_DB).split())
        return bool(held)

    running, killed, kills = "", False, 0
    while not killed:
        stack.wait_until(part_in_hand, timeout=60, what="the night's first rules, with a part in a worker's hands")
        running = stack.psql("SELECT state FROM inspections_nightlyrun WHERE part = ''", stack.CITY_DB)
        # The pool processes of both workers (whichever runs a part; an idle one is replaced too).
        for worker in (first, second):
            for child in Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split():
                os.kill(int(child), 9)
        kills += 1
        time.sleep(1)
        after = set(stack.psql(in_hand, stack.CITY_DB).split())
        killed = bool(held & after)
        print(f"  kill {kills}: parts in hand {sorted(held)}, a second later {sorted(after)}", flush=True)
        if not killed and kills >= 5:
            raise RuntimeError("five kills, each just after its part had finished: no part died in a worker's hands")
    night = "SELECT state FROM inspections_nightlyrun WHERE part = ''"
    stack.wait_until(
        lambda: stack.psql(night, stack.CITY_DB) == "complete", timeout=120, what="the night to complete after the kill"
    )
    disturbed = _alerts(stack.CITY_DB)
    # The night ran in parts (a district and stage each, shared by the two workers); the killed ones again.
    attempts = int(stack.psql("SELECT max(attempts) FROM inspections_nightlyrun", stack.CITY_DB))
    parts = int(
        stack.psql("SELECT count(*) FROM inspections_nightlyrun WHERE part <> '' AND state = 'complete'", stack.CITY_DB)
    )
    st.stop("night1")
    st.stop("night2")
    stack.psql(
        "TRUNCATE inspections_alert, inspections_rulerun, inspections_nightlyrun, attendance_punchverdict CASCADE",
        stack.CITY_DB,
    )
    subprocess.run(
        [stack.PY, "manage.py", "run_rules", "--date", "2026-10-31"],
        cwd=stack.ROOT,
        env=stack.environment(stack.CITY_DB),
        check=True,
        capture_output=True,
    )
    undisturbed = _alerts(stack.CITY_DB)
    doubled = int(
        stack.psql(
            "SELECT count(*) FROM (SELECT key FROM inspections_alert GROUP BY key HAVING count(*) > 1) a", stack.CITY_DB
        )
    )
    stop.set()
    load.join()
    facts = {
        f"a city of {city['projects']} projects, {city['punches']} punches": True,
        f"the run was under way when its process was killed ({running}, {kills} kill(s))": running == "running",
        f"the night completed on another try (attempts {attempts})": attempts >= 2,
        f"in parts, every one complete ({parts}: a district and stage each, and R07's)": parts == 2 * 10 + 1,
        f"the alerts equal an undisturbed run's ({len(disturbed)} / {len(undisturbed)})": disturbed == undisturbed,
        "no alert counted twice": doubled == 0,
    }
    return check(ledger, _serials(devices), stack.DB), facts


def _alerts(database: str) -> set[str]:
    rows = stack.psql(
        "SELECT key || '|' || rule || '|' || state || '|' || period_start || '|' || period_end FROM inspections_alert",
        database,
    )
    return set(rows.splitlines())


# --- 4. Two beats at once ----------------------------------------------------------------------------------


BEATS = """
import datetime as dt, tempfile
from django.conf import settings
from smz_platform.celery import app
from smz_platform.common.beat import SlotScheduler
from celery.beat import ScheduleEntry
app.loader.import_default_modules()

class Simulated(SlotScheduler):
    clock = None
    def slot(self):
        return self.clock

beats = [Simulated(app=app, schedule_filename=tempfile.mktemp(), lazy=True) for _ in (1, 2)]
start = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
sent, due = 0, {}
for minute in range(60):
    now = start + dt.timedelta(minutes=minute)
    for name, spec in settings.CELERY_BEAT_SCHEDULE.items():
        s = spec["schedule"]
        if now.minute in s.minute and now.hour in s.hour and now.isoweekday() % 7 in s.day_of_week:
            due[spec["task"]] = due.get(spec["task"], 0) + 1
            for beat in beats:
                beat.clock = now
                beat.apply_async(ScheduleEntry(name=name, task=spec["task"], schedule=s, app=app), advance=False)
                sent += 1
print(json.dumps({"sent": sent, "due": due}))
"""


def two_beats(st: stack.Stack, plan: list[dict]) -> tuple:
    ledger, stop = Ledger(), threading.Event()
    devices = devices_of(plan, ledger, "D")[:4]
    load = threading.Thread(target=run_load, args=(devices,), kwargs={"seconds": 600, "stop": stop})
    load.start()
    st.worker_start("beat1")
    st.worker_start("beat2")
    time.sleep(4)
    sent = stack.django(BEATS)
    due = sent["due"]

    def ran() -> dict:
        rows = stack.psql("SELECT job, count(*) FROM common_scheduledrun GROUP BY job")
        return {job: int(n) for job, n in (line.split("|") for line in rows.splitlines() if line)}

    stack.wait_until(lambda: ran() == due, timeout=120, what="every scheduled job to run")
    time.sleep(3)  # the second beat's messages are all handled (and skipped)
    ran_once = ran() == due
    st.stop("beat1")
    st.stop("beat2")
    stop.set()
    load.join()
    return check(ledger, _serials(devices), stack.DB), {
        f"each job ran once per slot ({sum(due.values())} runs of {sent['sent']} messages from two beats)": ran_once,
    }


# --- 5. The media volume full ------------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"face-photo-bytes" * 40


def media_full(st: stack.Stack, plan: list[dict]) -> tuple:
    ledger = Ledger()
    devices = devices_of(plan, ledger, "E")
    camera, plain = devices[11], devices[0]
    filler = stack.MEDIA / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass  # the volume is full
    photo = base64.b64encode(JPEG).decode()
    records = camera.records(3, photo=photo)
    refused = camera.push(records, deadline=time.time() + 5, give_up_on=(503,))
    stored_then = int(stack.psql(f"SELECT count(*) FROM attendance_punch WHERE record_id LIKE '{camera.serial}-%'"))
    partial = [p.name for p in Path(stack.MEDIA).rglob("*") if p.is_file() and ".part-" in p.name]
    plain_status = plain.push(plain.records(5), deadline=time.time() + 10)
    filler.unlink()
    retried = camera.push(records, deadline=time.time() + 10)
    result = check(ledger, [camera.serial, plain.serial], stack.DB)
    photos = list(Path(stack.MEDIA).rglob("*.fernet"))
    facts = {
        "a punch with a photo got 503 while the volume was full": refused == 503,
        "nothing of it was stored": stored_then == 0 and not partial,
        "punches without photos went on (200)": plain_status == 200,
        "the same batch, retried with room again, was stored": retried == 200 and len(photos) >= 1,
    }
    return result, facts


# --- 6. Clocks, backlogs, the same batch twice -------------------------------------------------------------


def clocks_and_backlogs(st: stack.Stack, plan: list[dict]) -> tuple:
    ledger = Ledger()
    devices = devices_of(plan, ledger, "F")
    skewed = devices[1]
    skewed.offset = -600  # its clock ten minutes behind
    skew_status = skewed.push(skewed.records(5), deadline=time.time() + 10)
    backlog = devices[2]
    week = [dt.date.today() - dt.timedelta(days=n) for n in range(7, 0, -1)]
    records = [r for day in week for r in backlog.records(200, day=day)]  # 1,400 records at once
    batches = [records[i : i + 500] for i in range(0, len(records), 500)]
    backlog_statuses = [backlog.push(batch, deadline=time.time() + 30) for batch in batches]
    twin = devices[3]
    same = twin.records(20)
    twin_b = Device(twin.serial, twin.secret.decode(), twin.numbers, ledger, tag="F")
    results = []
    threads = [
        threading.Thread(target=lambda d=d: results.append(d.push(same, deadline=time.time() + 20)))
        for d in (twin, twin_b)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    late = int(
        stack.psql(f"SELECT count(*) FROM attendance_punch WHERE record_id LIKE '{backlog.serial}-%' AND flag_late")
    )
    result = check(ledger, [skewed.serial, backlog.serial, twin.serial], stack.DB)
    facts = {
        "the skewed device set its clock from server_time and was accepted": skew_status == 200,
        "a week of backlog at once was accepted": backlog_statuses == [200] * len(batches),
        "the backlog's old punches are marked late for R13": late >= 1200,
        "the same batch from two connections: both answered": results == [200, 200],
    }
    return result, facts


SCENARIOS = [
    ("1. PostgreSQL restarted under load", postgres_restarted),
    ("2. Redis killed and restarted under load", redis_restarted),
    ("3. A worker killed mid nightly run", worker_killed),
    ("4. Two beats for an hour of schedule", two_beats),
    ("5. The media volume full", media_full),
    ("6. A skewed clock, a week's backlog, one batch twice", clocks_and_backlogs),
]


def shanghai_now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)
