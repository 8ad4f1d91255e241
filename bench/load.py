"""make bench-load: the morning peak (issue 16), with locust, against a real gunicorn, Celery and PostgreSQL.

1. The city of `make bench-reports` (2,000 projects, 100,000 people, October 2026 with its alerts,
   inspections and cases; built when missing) is copied into its own database; 2,000 of its devices get
   real signing secrets and the people of their projects real-form ID numbers (encrypted, digested).
2. Starts, on loopback, gunicorn as production runs it (smz_platform/gunicorn_conf.py: 4 workers × 4
   threads), the public pool beside it as docker-compose.yml's service "public" (2 sync workers, CPU weight 256
   of 1024: nice 6), a Celery worker and the beat.
3. locust (bench/locustfile.py), headless: 2,000 devices — a heartbeat a minute each and batches of
   1–20 punches, 200 punches/s arriving in all — and 10 regulators (the city and district staff)
   logged in through the login page, browsing the dashboard and downloading Annex 1: first 3 minutes of warm-up
   (not measured; the crowd below in it too, so that its pages are kept as in a public pool that has run), then
   10 minutes;
   and the same 10 minutes again with a crowd of 200 anonymous visitors added (issue 28), each phase in two
   halves run alone, crowd, crowd, alone (so that a drift over the run weighs on both alike): phones
   opening rights boards (each board's page, its complaint form, the worker's sign-in, the tracking
   form) and the city's published draws and circulars, a page every 1–3 s each, from a generator of its own
   (bench/crowd.py) at nice 10 (the phones are elsewhere in production; see phase()), sent through nginx with
   deploy/nginx.conf (its cache keeps what the platform's X-Accel-Expires allows: the boards and published
   pages, never a form) to the public pool, as the scaled-out deployment's proxy sends them.
4. Every 10 s, the unique memory (USS) of every process of the platform: gunicorn's master and
   workers, the Celery worker and its pool, the beat, and the PostgreSQL backends serving the run (a
   backend's: the mean of those serving at each sample).
5. Per phase, the CPU seconds gunicorn, Celery and each load generator took, and how busy the machine's
   cores were: on two shared cores, what the crowd costs the regulators is read there.

Targets: zero failed requests, intake p99 ≤ 100 ms, dashboard pages p99 ≤ 1 s, no process growing by
more than 10% from the end of the warm-up (the first 3 minutes) to the end; the crowd at ≥ 90% of its nominal
rate, and with it the regulators' pages p99 (every page request of theirs pooled) within 10% of the run without
it. The devices' ledger (the record ids
the platform said it accepted) is compared with the punches stored. Prints the figures and last one
JSON line. BENCH_SMOKE=1: 20 devices, a 6 s warm-up and a 10 s half of each phase on the smoke city (the suite's
smoke run).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import crowd, reports  # noqa: E402
from bench.intake import machine  # noqa: E402
from bench.size import pick  # noqa: E402

DB = pick("smz_bench_load", "smz_bench_load_smoke")
PORT, PUBLIC_PORT = pick(8770, 8771), pick(8772, 8773)
BASE, PUBLIC_BASE = f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{PUBLIC_PORT}"
# The public pool as docker-compose.yml runs it (service "public"): 2 workers, CPU weight 256 of the staff web's
# 1024, which is about nice 6 (the weight falls by 1.25 a step).
PUBLIC_WORKERS, PUBLIC_NICE = "2", 6
PUBLIC_WORKER_CLASS = os.environ.get("BENCH_PUBLIC_WORKER_CLASS", "sync")  # gthread: as before, to compare
# BENCH_PUBLIC_POOL=0: the crowd on the web's own workers, as before the public pool, to compare the two.
PUBLIC_POOL = os.environ.get("BENCH_PUBLIC_POOL", "1") != "0"
# nginx in front of the public pool with deploy/nginx.conf, the file production reads (its cache keeps the boards and
# published pages the platform's X-Accel-Expires allows): the crowd goes through it, the devices and regulators, as
# before, straight to the web's gunicorn. BENCH_PROXY=0: the crowd straight to the public pool, as before 2026-12-07.
PROXY = PUBLIC_POOL and os.environ.get("BENCH_PROXY", "1") != "0"
PROXY_PORT = pick(8774, 8775)
PROXY_BASE = f"http://127.0.0.1:{PROXY_PORT}"
DEVICES, REGULATORS, VISITORS = pick(2000, 20), pick(10, 2), pick(200, 4)
BOARDS = pick(500, 10)  # rights boards issued for the crowd to open
RATE = pick(200, 10)  # punches a second arriving, in all
SECONDS, WARMUP, SAMPLE_EVERY = pick(600, 20), pick(180, 6), pick(10, 2)
# Each phase runs in two halves, in the order alone, crowd, crowd, alone: the run without the crowd no longer comes
# first every time, on a database the intake grows by ~120,000 punches a phase and caches that warm as it runs, so a
# drift over the run weighs on both phases alike (alone p99 had moved by a third between runs of one machine).
# The smoke run (which only shows that the bench runs to its end) has one half of each: a locust's start costs it more
# than a half's seconds.
ORDER, PART_SECONDS = pick(("alone", "crowd", "crowd", "alone"), ("alone", "crowd")), SECONDS // 2
RUN_SECONDS = WARMUP + len(ORDER) * PART_SECONDS  # the warm-up (not measured), then the halves
CROWD_NICE = 10  # the crowd's generator (its phones are elsewhere in production): see phase()
# The crowd comes in the warm-up too (BENCH_WARM_CROWD=0: not, as before 2026-12-07), so that the halves measure a
# public pool in its steady state: each board and form kept an hour, rendered once. Without it, the first crowd half
# carried the first render of every page the crowd opens (~1,000 boards and forms, ~10 ms each, their queries in
# PostgreSQL at full weight), which in production a deployment pays once and an hour's expiries spread thin.
WARM_CROWD = os.environ.get("BENCH_WARM_CROWD", "1") != "0"
VISIT_SECONDS = sum(crowd.THINK) / 2  # a visitor's mean think time
BATCH_PERIOD = DEVICES * 10.5 / RATE  # a device's batches hold 10.5 punches on average
PASSWORD = "smz-load-2026"
REDIS_DB, BROKER_DB = 13, 12
BACKENDS, PER_BACKEND = "postgres backends", "postgres backends, each"  # the Memory thread's labels
OUT = ROOT / "var" / "bench-load"

PREPARE = """
import django, json, random, secrets, sys
django.setup()
from django.db import connection
from psycopg2.extras import execute_values
from devices.models import Device
from devices.simulator import make_id_number
from inspections.models import Alert
from projects.choices import Role
from projects.models import Engagement, Project, Region, User
from smz_platform.common import pii
devices, regulators, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(16)
chosen = list(Device.objects.order_by("pk").values_list("pk", "serial", "project_id")[:devices])
secret = {pk: secrets.token_urlsafe(32) for pk, _serial, _project in chosen}
projects = sorted({project for _pk, _serial, project in chosen})
engaged = list(Engagement.objects.filter(project_id__in=projects, exited_on__isnull=True)
               .values_list("person_id", "project_id"))
numbers, seen = {}, set()
for person, _project in engaged:
    while (number := make_id_number(rng)) in seen:
        pass
    seen.add(number)
    numbers[person] = number
with connection.cursor() as cursor:
    execute_values(cursor.cursor, "UPDATE devices_device d SET secret_encrypted = v.s FROM (VALUES %s) v(id, s) "
                   "WHERE d.id = v.id", [(pk, pii.secret_encrypt(s)) for pk, s in secret.items()], page_size=1000)
    execute_values(cursor.cursor, "UPDATE projects_person p SET id_number_encrypted = v.e, id_number_digest = v.d, "
                   "id_number_masked = v.m FROM (VALUES %s) v(id, e, d, m) WHERE p.id = v.id",
                   [(pk, pii.encrypt(n), pii.lookup_digest(n), pii.mask_id_number(n)) for pk, n in numbers.items()],
                   page_size=2000)
by_project = {}
for person, project in engaged:
    by_project.setdefault(project, []).append(numbers[person])
plan_devices = [{"serial": serial, "secret": secret[pk], "numbers": by_project.get(project, [])[:60]}
                for pk, serial, project in chosen]
accounts = []
districts = list(Region.objects.filter(level="district").order_by("code"))
for n in range(regulators):
    district = None if n % 5 == 0 else districts[n % len(districts)]
    name = "load-city" if district is None else f"load-{district.code}"
    user, _ = User.objects.get_or_create(username=name, defaults={"role": Role.CITY if district is None else
                                         Role.DISTRICT, "district": district})
    user.set_password(password)
    user.save()
    scope = Project.objects.all() if district is None else Project.objects.filter(district=district)
    accounts.append({
        "username": name, "home": "/" if district is None else f"/districts/{district.code}/",
        "projects": list(scope.order_by("pk").values_list("permit_no", flat=True)[:20]),
        "alerts": list(Alert.objects.filter(project__in=scope).order_by("pk").values_list("pk", flat=True)[:20]),
        "devices": list(Device.objects.filter(project__in=scope).order_by("pk").values_list("serial", flat=True)[:20]),
        "annex1": "" if district is None else f"&district={district.code}",
    })
# Rights boards for the anonymous crowd (issue 28): one per project of the first devices' projects.
from django.utils import timezone
from rights.models import RightsBoard
issuer = User.objects.get(username=accounts[0]["username"])
boards = [RightsBoard(project_id=pk, token=secrets.token_hex(24), issued_at=timezone.now(), issued_by=issuer)
          for pk in Project.objects.exclude(pk__in=RightsBoard.objects.filter(revoked_at__isnull=True)
                                            .values("project_id")).order_by("pk")
          .values_list("pk", flat=True)[:int(sys.argv[4])]]
RightsBoard.objects.bulk_create(boards)
tokens = list(RightsBoard.objects.filter(revoked_at__isnull=True).order_by("pk").values_list("token", flat=True))
# A morning peak comes after a complete night (make bench-rules measures the night): in this copy the real
# yesterday's and today's nights are marked complete, or the beat's watchdog runs a whole night of the city in the
# middle of the measured halves (it did, at 04:45 Shanghai time, in a run of 2026-12-06).
import datetime as dt
from inspections.models.rules import NightlyRun, RunState
now = timezone.now()
for day in (timezone.localdate() - dt.timedelta(days=1), timezone.localdate()):
    NightlyRun.objects.update_or_create(day=day, part="", defaults={
        "state": RunState.COMPLETE, "token": "bench-load", "started_at": now, "heartbeat_at": now, "finished_at": now})
city = Region.objects.filter(level="city").order_by("code").values_list("code", flat=True).first()
print(json.dumps({"devices": plan_devices, "regulators": accounts, "people": len(numbers), "boards": tokens,
                  "city": city}))
"""


def environment() -> dict[str, str]:
    env = reports.city.environment()
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{BROKER_DB}",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "off",
            "SMZ_LOG_FORMAT": "plain",
            "GUNICORN_BIND": f"127.0.0.1:{PORT}",
            "SMZ_MEDIA_ROOT": str(OUT / "media"),
            # Every simulated device sends from 127.0.0.1: the per-address limit would otherwise cap the run.
            "SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE": "100000000",
            "PROMETHEUS_MULTIPROC_DIR": str(OUT / "prometheus"),
            "DJANGO_SETTINGS_MODULE": "smz_platform.settings",
        }
    )
    return env


def database() -> None:
    """A copy of the benchmark city (a template copy: seconds, and the reports city stays as it was)."""
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB}")
        cursor.execute(f"CREATE DATABASE {DB} TEMPLATE {reports.city.DB}")
    admin.close()


def django(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr)
    return result.stdout.strip().splitlines()[-1]


def start(name: str, command: list[str], env: dict[str, str] | None = None, nice: int = 0) -> subprocess.Popen:
    log = open(OUT / f"{name}.log", "w")  # noqa: SIM115 (open while the process runs)
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**environment(), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )


def wait_for_web(server: subprocess.Popen, base: str = BASE, name: str = "web") -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if server.poll() is not None:
                sys.exit(f"gunicorn stopped: {(OUT / f'{name}.log').read_text()[-2000:]}")
            time.sleep(0.5)
    sys.exit("gunicorn did not come up")


class Memory(threading.Thread):
    """Samples the unique memory (USS) of every process of the platform every SAMPLE_EVERY seconds."""

    def __init__(self, roots: dict[str, subprocess.Popen]) -> None:
        super().__init__(daemon=True)
        self.roots, self.samples, self.stop = roots, [], threading.Event()
        self.started = time.time()
        self.serving_from: dict[str, float] = {}  # a root's name: when (s after the start) it began to serve

    def _processes(self) -> dict:
        import psutil

        found = {}
        for name, root in self.roots.items():
            try:
                parent = psutil.Process(root.pid)
            except psutil.NoSuchProcess:
                continue
            found[f"{name} (main)"] = [parent]
            for n, child in enumerate(sorted(parent.children(recursive=True), key=lambda p: p.pid), 1):
                found[f"{name} {n}"] = [child]
        found[BACKENDS] = [
            p
            for p in psutil.process_iter(["cmdline"])
            if any(DB in part for part in (p.info["cmdline"] or [])) and "postgres" in (p.info["cmdline"] or [""])[0]
        ]
        return found

    def run(self) -> None:
        import psutil

        self.started = time.time()
        while not self.stop.wait(SAMPLE_EVERY):
            sample = {"t": time.time() - self.started}
            for label, processes in self._processes().items():
                each = {}
                for process in processes:
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):  # it just ended
                        each[process.pid] = process.memory_full_info().uss / 2**20
                if label == BACKENDS:
                    sample[PER_BACKEND] = each
                else:
                    sample[label] = sum(each.values())
            self.samples.append(sample)

    def growth(self) -> dict[str, dict]:
        """Per process: the median USS in the minute after the warm-up and in the last minute. A pool that serves
        nothing until a later phase (the public pool before the crowd) warms up from that phase's start."""
        window = min(60, SECONDS / 6)
        last = max((s["t"] for s in self.samples), default=0.0)
        late = [s for s in self.samples if s["t"] >= last - window]
        out = {}
        if backends := self._backends_each(window, late):
            out["postgres backend (mean of each)"] = backends
        for label in sorted({k for s in self.samples for k in s if k not in ("t", PER_BACKEND)}):
            warm = WARMUP + next((at for root, at in self.serving_from.items() if label.startswith(root)), 0.0)
            before = [s[label] for s in self.samples if warm <= s["t"] < warm + window and label in s]
            after = [s[label] for s in late if label in s]
            if before and after:
                base, end = statistics.median(before), statistics.median(after)
                out[label] = {
                    "after_warmup_mb": round(base, 1),
                    "end_mb": round(end, 1),
                    "growth_pct": round((end / base - 1) * 100, 1) if base else 0.0,
                }
        return out

    def _backends_each(self, window: float, late: list[dict]) -> dict | None:
        """A PostgreSQL backend's memory, the mean over those serving at each sample. Not their sum: Django closes a
        connection after a minute (CONN_MAX_AGE) and a pool that starts later (the public pool, at the crowd's first
        half) adds backends, so the sum grew with their number (+10-14% in the runs of 2026-12-06, no backend
        growing); a backend that bloats as it serves moves the mean."""

        def mean(sample: dict) -> float:
            return sum(sample.values()) / len(sample)

        before = [
            mean(s[PER_BACKEND]) for s in self.samples if WARMUP <= s["t"] < WARMUP + window and s.get(PER_BACKEND)
        ]
        after = [mean(s[PER_BACKEND]) for s in late if s.get(PER_BACKEND)]
        if not before or not after:
            return None
        base, end = statistics.median(before), statistics.median(after)
        growth = round((end / base - 1) * 100, 1) if base else 0.0
        return {"after_warmup_mb": round(base, 1), "end_mb": round(end, 1), "growth_pct": growth}


def proxy_config(directory: Path, web: str, public: str, listen: str) -> Path:
    """deploy/nginx.conf, the file production reads, with these addresses and `directory` for its cache, in an
    nginx.conf of its own (the benchmark's and tests/platform/test_proxy.py's); an access log of each answer's cache
    status (HIT, MISS, BYPASS, or "-" for an answer nginx may not keep)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for old, new in (
        ("server web:8000;", f"server {web};"),
        ("server public:8000;", f"server {public};"),
        ("listen 8000;", f"listen {listen};"),
        ("/var/cache/nginx/smz-public", str(directory / "cache")),
    ):
        if old not in site:
            sys.exit(f"deploy/nginx.conf has no {old!r} any more: point bench/load.py's proxy_config() at what it has")
        site = site.replace(old, new)
    (directory / "site.conf").write_text(site, encoding="utf-8")
    conf = directory / "nginx.conf"
    # Started as root, nginx's workers would run as nobody, who may not write the cache into this user's directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""daemon off;
{user}worker_processes 1;
pid {directory}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    log_format cache $upstream_cache_status;
    access_log {directory}/access.log cache buffer=256k flush=5s;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    include {directory}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return conf


def proxy_start(conf: Path, name: str = "nginx") -> subprocess.Popen:
    """nginx on `conf`, checked first (make bench-load installs it: scripts/ensure-nginx.sh)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    error_log = str(conf.parent / "error.log")
    subprocess.run([nginx, "-t", "-q", "-e", error_log, "-c", str(conf)], check=True)
    return subprocess.Popen([nginx, "-e", error_log, "-c", str(conf)], start_new_session=True)


def proxy_answers() -> dict[str, int]:
    """The crowd's answers through the proxy over the run (the warm-up's too), by cache status."""
    found: dict[str, int] = {}
    log = OUT / "nginx" / "access.log"
    for line in log.read_text(encoding="utf-8").split() if log.exists() else []:
        found[line] = found.get(line, 0) + 1
    return found


def cpu_seconds(roots: dict[str, subprocess.Popen]) -> dict[str, float]:
    """CPU seconds (user + system) each platform process tree has used so far, its reaped children's too (a
    gunicorn worker that was replaced), and the machine's busy time (neither idle, I/O wait nor stolen)."""
    import psutil

    used = {}
    for name, root in roots.items():
        total = 0.0
        with contextlib.suppress(psutil.NoSuchProcess):
            parent = psutil.Process(root.pid)
            times = parent.cpu_times()
            total = times.user + times.system + times.children_user + times.children_system
            for child in parent.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = child.cpu_times()
                    total += times.user + times.system
        used[name] = total
    machine = psutil.cpu_times()
    idle = machine.idle + getattr(machine, "iowait", 0.0) + getattr(machine, "steal", 0.0)
    used["machine"] = sum(machine) - idle - getattr(machine, "guest", 0.0) - getattr(machine, "guest_nice", 0.0)
    return used


def stats(prefix: Path) -> dict[str, dict]:
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "max_ms": float(row["Max Response Time"] or 0),
                "per_s": float(row["Requests/s"] or 0),
            }
    return rows


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    print(f"machine: {machine()}", flush=True)
    reports.prepare()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("prometheus", "prometheus-public", "media"):
        (OUT / name).mkdir(exist_ok=True)
    database()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment(), check=True)
    # Production settings serve hashed static files (whitenoise's manifest), as a deployment would.
    subprocess.run([sys.executable, "manage.py", "collectstatic_if_changed"], cwd=ROOT, env=environment(), check=True)
    plan = json.loads(django(PREPARE, str(DEVICES), str(REGULATORS), PASSWORD, str(BOARDS)))
    reports.vacuum(DB)  # the devices' and people's rows PREPARE rewrote
    run = f"{int(time.time()) % 10**6:06d}"
    plan.update(run=run, password=PASSWORD, month="2026-10", first="2026-10-01", last="2026-10-31")
    plan_file = OUT / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    print(
        f"{len(plan['devices'])} devices, {plan['people']} people with real-form ID numbers, "
        f"{len(plan['regulators'])} regulators, {len(plan['boards'])} rights boards; a batch every "
        f"{BATCH_PERIOD:.0f} s per device",
        flush=True,
    )

    venv = ROOT / ".venv" / "bin"
    gunicorn = [str(venv / "gunicorn"), "smz_platform.wsgi:application", "--config"]
    gunicorn.append("python:smz_platform.gunicorn_conf")
    web = start("web", [*gunicorn, "--timeout", "120"])
    # The anonymous pages have a pool of their own, as in production: the proxy sends /board/, /public/,
    # /complaints/ and /worker/ there (docker-compose.yml, deploy/nginx.conf); here the crowd's locust is pointed
    # at it.
    public = (
        start(
            "public",
            gunicorn,
            {
                "GUNICORN_BIND": f"127.0.0.1:{PUBLIC_PORT}",
                "GUNICORN_WORKERS": PUBLIC_WORKERS,
                "GUNICORN_WORKER_CLASS": PUBLIC_WORKER_CLASS,
                "GUNICORN_THREADS": "1" if PUBLIC_WORKER_CLASS == "sync" else "4",
                # Its own counters, as in its own container: each pool's start empties its directory.
                "PROMETHEUS_MULTIPROC_DIR": str(OUT / "prometheus-public"),
            },
            nice=PUBLIC_NICE,
        )
        if PUBLIC_POOL
        else None
    )
    proxy = None
    if PROXY:
        listen = f"127.0.0.1:{PROXY_PORT}"
        conf = proxy_config(OUT / "nginx", f"127.0.0.1:{PORT}", f"127.0.0.1:{PUBLIC_PORT}", listen)
        proxy = proxy_start(conf)
    worker = start(
        "worker", [str(venv / "celery"), "-A", "smz_platform", "worker", "--concurrency", "2", "--loglevel", "WARNING"]
    )
    beat = start(
        "beat",
        [
            str(venv / "celery"),
            "-A",
            "smz_platform",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(Path(tempfile.mkdtemp()) / "beat-schedule"),
        ],
    )
    pools = {"gunicorn": web, **({"gunicorn (public)": public} if public else {})}
    memory = Memory({**pools, "celery worker": worker, "celery beat": beat})
    if proxy:
        pools["nginx"] = proxy  # its CPU counted per phase; its memory is its cache's, not a leak's
    try:
        wait_for_web(web)
        if public:
            wait_for_web(public, PUBLIC_BASE, "public")
        if proxy:
            wait_for_web(proxy, PROXY_BASE, "nginx")  # its /healthz is the web's, through it
        memory.start()
        # First the warm-up, not measured: the fresh copy's caches, the logins, the beat's first tasks, and the crowd's
        # pages kept by the public pool (see WARM_CROWD).
        if public and WARM_CROWD:
            memory.serving_from["gunicorn (public)"] = 0.0
        warm = phase("warm0", VISITORS if WARM_CROWD else 0, plan, plan_file, {**pools, "celery": worker}, WARMUP)
        parts: dict[str, list[dict]] = {"alone": [], "crowd": []}
        halves: list[tuple[str, float, int]] = []  # each half's regulators' pages p99 and count, in the order run
        for n, name in enumerate(ORDER):
            visitors = VISITORS if name == "crowd" else 0
            if visitors and public and "gunicorn (public)" not in memory.serving_from:
                memory.serving_from["gunicorn (public)"] = time.time() - memory.started
            parts[name].append(phase(f"{name}{n + 1}", visitors, plan, plan_file, {**pools, "celery": worker}))
            times = parts[name][-1]["page_times"]
            halves.append((f"{name}{n + 1}", _p99(times), len(times)))
        phases = {name: _pooled(found) for name, found in parts.items()}
    finally:
        memory.stop.set()
        for process in (proxy, web, public, worker, beat):
            if process is None:
                continue
            stop(process)
    ledger = {"sent": 0, "accepted": 0, "duplicate": 0, "rejected": 0, "batches": 0, "heartbeats": 0, "ids": []}
    for result in [warm, *phases.values()]:
        for key, value in result["ledger"].items():
            ledger[key] += value
    stored = set(
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                DB,
                "-tAc",
                f"SELECT record_id FROM attendance_punch WHERE record_id LIKE 'L{plan['run']}%'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    confirmed = set(ledger.pop("ids"))
    ledger.update(stored=len(stored), lost=len(confirmed - stored), unconfirmed=len(stored - confirmed))
    growth = memory.growth()
    report(phases, ledger, growth, plan, halves, proxy_answers())


def _locust(prefix: str, classes: list[str], users: int, env: dict[str, str], seconds: int) -> subprocess.Popen:
    with open(OUT / f"{prefix}.log", "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(users // 10, 1)),
                "--run-time",
                f"{seconds}s",
                "--host",
                BASE,
                "--csv",
                str(OUT / prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
                *classes,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _crowd(prefix: str, visitors: int, env: dict[str, str], host: str, seconds: int) -> subprocess.Popen:
    """The anonymous crowd's own generator (bench/crowd.py: asyncio rather than locust, for its CPU), at nice
    CROWD_NICE."""
    with open(OUT / f"{prefix}.out", "w") as log:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "crowd.py"), "--host", host, "--visitors", str(visitors)]
            + ["--seconds", str(seconds), "--csv", str(OUT / prefix)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.nice(CROWD_NICE),
        )


def _finished(prefix: str) -> tuple[dict[str, dict], int, int]:
    """A locust run's figures by request name, its failures (failed requests and tasks that raised, which locust
    keeps apart) and how often it warned that its own CPU was above 90% (then it measured itself, not us)."""
    figures = stats(OUT / prefix)
    with open(OUT / f"{prefix}_exceptions.csv", encoding="utf-8") as handle:
        raised = sum(int(row["Count"]) for row in csv.DictReader(handle))
    failures = figures.get("Aggregated", {}).get("failures", 0) + raised
    return figures, failures, (OUT / f"{prefix}.log").read_text(encoding="utf-8").count("CPU usage above")


def phase(
    name: str, visitors: int, plan: dict, plan_file: Path, roots: dict[str, subprocess.Popen], seconds: int = 0
) -> dict:
    """One run of `seconds` (PART_SECONDS) against the running platform: the devices and the regulators, and
    `visitors` anonymous visitors; its figures (by request name), its ledger, the regulators' page times and how
    long it took.

    The crowd has a generator of its own (bench/crowd.py) at nice CROWD_NICE: in production the phones are
    elsewhere; here their generator shares the two cores; in locust's process it delayed the reading of the
    regulators' answers (gevent's one loop) — time the platform was then blamed for — and as a locust of its own
    it took more CPU than the public pool's answers. (Under SCHED_IDLE instead, one run of 2026-12-07 measured
    1.67× against 1.14× at nice 10 an hour before: not kept; docs/benchmarks.md.) The crowd's rate is
    reported and held to its nominal rate, so that a niced generator cannot lighten the load it is meant to
    add."""
    ledger_file, times_file = OUT / f"ledger-{name}.json", OUT / f"page-times-{name}.json"
    ledger_file.unlink(missing_ok=True)
    times_file.unlink(missing_ok=True)
    env = {
        **environment(),
        "SMZ_LOAD_PLAN": str(plan_file),
        "SMZ_LOAD_LEDGER": str(ledger_file),
        "SMZ_LOAD_PAGE_TIMES": str(times_file),
        "SMZ_LOAD_BATCH_PERIOD": str(BATCH_PERIOD),
        "SMZ_LOAD_REGULATORS": str(REGULATORS),
        "SMZ_LOAD_RUN": f"{plan['run']}{name[0]}{name[-1]}",  # alone1, crowd2 …: each part its own ids
    }
    seconds = seconds or PART_SECONDS
    started, cpu_before = time.time(), cpu_seconds(roots)
    runs = {
        f"locust-{name}": _locust(
            f"locust-{name}", ["DeviceUser", "RegulatorUser"], len(plan["devices"]) + REGULATORS, env, seconds
        )
    }
    if visitors:
        host = PROXY_BASE if PROXY else PUBLIC_BASE if PUBLIC_POOL else BASE
        runs[f"crowd-{name}"] = _crowd(f"crowd-{name}", visitors, env, host, seconds)
    generators = {}
    for prefix, process in runs.items():
        # wait4 gives each generator's own CPU seconds (what it took from the cores the platform runs on).
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        label = "generator: the crowd" if prefix.startswith("crowd-") else "generator: devices, regulators"
        generators[label] = usage.ru_utime + usage.ru_stime
    elapsed = time.time() - started
    cpu_after = cpu_seconds(roots)
    cpu = {label: cpu_after[label] - cpu_before[label] for label in cpu_before}
    cpu.update(generators)
    if not ledger_file.exists():
        sys.exit(f"locust wrote no ledger: {(OUT / f'locust-{name}.log').read_text(encoding='utf-8')[-3000:]}")
    figures: dict[str, dict] = {}
    failures = requests = saturated = 0
    for prefix in runs:
        found, failed, warned = _finished(prefix)
        total = found.pop("Aggregated", {"requests": 0})
        figures.update(found)
        failures, requests, saturated = failures + failed, requests + total["requests"], saturated + warned
    figures["Aggregated"] = {"requests": requests, "failures": failures}
    return {
        "figures": figures,
        "ledger": json.loads(ledger_file.read_text(encoding="utf-8")),
        "page_times": json.loads(times_file.read_text(encoding="utf-8")),
        "saturated": saturated,
        "elapsed": elapsed,
        "cpu": cpu,
    }


def _pooled(parts: list[dict]) -> dict:
    """A phase's parts as one: counts, CPU seconds and the regulators' page times added up; a request name's
    median, p99 and max the worse of the parts' (exact percentiles of the two are not in locust's CSV)."""
    figures: dict[str, dict] = {}
    for part in parts:
        for label, f in part["figures"].items():
            into = figures.setdefault(label, dict.fromkeys(f, 0))
            for key, value in f.items():
                into[key] = value + into[key] if key in ("requests", "failures") else max(value, into[key])
    seconds = PART_SECONDS * len(parts)
    for f in figures.values():
        if "per_s" in f:
            f["per_s"] = f["requests"] / seconds
    ledger: dict = {}
    for part in parts:
        for key, value in part["ledger"].items():
            ledger[key] = ledger.get(key, [] if isinstance(value, list) else 0) + value
    cpu: dict[str, float] = {}
    for part in parts:
        for label, used in part["cpu"].items():
            cpu[label] = cpu.get(label, 0.0) + used
    return {
        "figures": figures,
        "ledger": ledger,
        "page_times": [t for part in parts for t in part["page_times"]],
        "saturated": sum(part["saturated"] for part in parts),
        "elapsed": sum(part["elapsed"] for part in parts),
        "cpu": cpu,
    }


def _p99(times: list[float]) -> float:
    """The nearest-rank 99th percentile (as bench/crowd.py reads its own)."""
    return crowd.nearest_rank(sorted(times), 0.99)


def _pages_p99(figures: dict) -> float:
    """The regulators' pages' p99: the slowest page's (every page a regulator opens is named "page: …")."""
    return max((f["p99_ms"] for name, f in figures.items() if name.startswith("page: ")), default=0.0)


def report(
    phases: dict, ledger: dict, growth: dict, plan: dict, halves: list[tuple[str, float, int]], proxied: dict[str, int]
) -> None:
    for name, result in phases.items():
        figures = result["figures"]
        total = figures.get("Aggregated", {"requests": 0, "failures": 0})
        print(
            f"\n{name}: {SECONDS} s of load in two parts ({result['elapsed']:.0f} s with the spawns and the stops); "
            f"{total['requests']} requests, {total['failures']} failed"
        )
        for label, f in figures.items():
            if label != "Aggregated":
                print(
                    f"  {label:<26} {f['requests']:>7} requests  {f['per_s']:>6.1f}/s  failures {f['failures']:>3}  "
                    f"p50 {f['median_ms']:>5.0f} ms  p99 {f['p99_ms']:>5.0f} ms  max {f['max_ms']:>6.0f} ms"
                )
    alone, crowd = phases["alone"]["figures"], phases["crowd"]["figures"]
    failures = sum(p["figures"].get("Aggregated", {}).get("failures", 0) for p in phases.values())
    requests = sum(p["figures"].get("Aggregated", {}).get("requests", 0) for p in phases.values())
    print(
        f"\npunches: {ledger['sent']} sent in {ledger['batches']} batches ({ledger['sent'] / RUN_SECONDS:.0f}/s), "
        f"{ledger['accepted']} accepted, {ledger['stored']} stored, {ledger['lost']} of the accepted lost, "
        f"{ledger['duplicate']} duplicate, {ledger['rejected']} rejected; {ledger['unconfirmed']} stored whose "
        "answer the stop cut off"
    )
    print("CPU seconds per phase:")
    for label in dict.fromkeys(k for p in phases.values() for k in p["cpu"]):
        print(f"  {label:<34} " + "  ".join(f"{n} {p['cpu'].get(label, 0.0):6.0f} s" for n, p in phases.items()))
    for name, result in phases.items():
        busy, capacity = result["cpu"]["machine"], (os.cpu_count() or 1) * result["elapsed"]
        print(f"  the machine's cores were busy {busy / capacity:.0%} of the {name} phase")
    print("memory (USS) after warm-up → end:")
    for label, g in growth.items():
        print(f"  {label:<26} {g['after_warmup_mb']:>7.1f} MB → {g['end_mb']:>7.1f} MB  ({g['growth_pct']:+.1f}%)")
    worst = max((g["growth_pct"] for g in growth.values()), default=0.0)
    intake = max(alone.get("device punches", {}).get("p99_ms", 0), crowd.get("device punches", {}).get("p99_ms", 0))
    slowest_alone, slowest_crowd = _pages_p99(alone), _pages_p99(crowd)
    pages_alone, pages_crowd = _p99(phases["alone"]["page_times"]), _p99(phases["crowd"]["page_times"])
    public = {name: f for name, f in crowd.items() if name.startswith("public: ")}
    public_p99 = max((f["p99_ms"] for f in public.values()), default=0.0)
    public_rate = sum(f["per_s"] for f in public.values())
    nominal = VISITORS / VISIT_SECONDS
    ratio = pages_crowd / pages_alone if pages_alone else 0.0
    pages_p99 = max(slowest_alone, slowest_crowd)
    saturated = {name: p["saturated"] for name, p in phases.items() if p["saturated"]}
    print(
        f"regulators' pages p99, all pages pooled: {pages_alone:.0f} ms alone ({len(phases['alone']['page_times'])} "
        f"pages), {pages_crowd:.0f} ms with the crowd ({len(phases['crowd']['page_times'])}); the slowest page's own "
        f"p99: {slowest_alone:.0f} → {slowest_crowd:.0f} ms"
    )
    print("  by half, in the order run: " + ", ".join(f"{name} {p99:.0f} ms ({n})" for name, p99, n in halves))
    through = sum(proxied.values())
    kept = proxied.get("HIT", 0) / through if through else 0.0
    if through:
        print(
            f"the proxy (nginx, deploy/nginx.conf) answered {kept:.0%} of the crowd's {through} requests from its "
            "cache (warm-up included): " + ", ".join(f"{status} {n}" for status, n in sorted(proxied.items()))
        )
    if saturated:
        print(f"the load generator warned that its CPU was above 90% ({saturated}): it measured itself too")
    targets = {
        f"zero failed requests ({failures})": failures == 0,
        f"no accepted record lost ({ledger['lost']})": ledger["lost"] == 0,
        f"intake p99 ≤ 100 ms ({intake:.0f} ms)": intake <= 100,
        f"dashboard pages p99 ≤ 1 s ({pages_p99:.0f} ms)": 0 < pages_p99 <= 1000,
        f"no process grew > 10% after the warm-up ({worst:+.1f}%)": worst <= 10,
        f"the crowd of {VISITORS} came at ≥ 90% of its nominal {nominal:.0f} requests/s ({public_rate:.1f}/s, "
        f"p99 {public_p99:.0f} ms)": public_rate >= 0.9 * nominal,
        f"with the crowd, the regulators' pages p99 within 10% of the run without it ({pages_alone:.0f} → "
        f"{pages_crowd:.0f} ms, {ratio:.2f}×)": 0 < ratio <= 1.10,
    }
    for target, met in targets.items():
        print(f"  [{'met' if met else 'MISSED'}] {target}")
    print(
        json.dumps(
            {
                "requests": requests,
                "failures": failures,
                "punches_per_s": round(ledger["sent"] / RUN_SECONDS, 1),
                "accepted": ledger["accepted"],
                "stored": ledger["stored"],
                "lost": ledger["lost"],
                "intake_p99_ms": intake,
                "heartbeat_p99_ms": max(f.get("device heartbeat", {}).get("p99_ms", 0) for f in (alone, crowd)),
                "pages_p99_ms": pages_p99,
                "pages_p99_alone_ms": pages_alone,
                "pages_p99_crowd_ms": pages_crowd,
                "slowest_page_p99_alone_ms": slowest_alone,
                "slowest_page_p99_crowd_ms": slowest_crowd,
                "generator_saturated": sum(saturated.values()),
                "crowd_ratio": round(ratio, 2),
                "public_per_s": round(public_rate, 1),
                "public_nominal_per_s": nominal,
                "public_p99_ms": public_p99,
                "proxy_hit_pct": round(100 * kept, 1),
                "annex1_p99_ms": max(f.get("Annex 1 download", {}).get("p99_ms", 0) for f in (alone, crowd)),
                # Flat numbers, like every figure of the line: cpu_<phase>_<process>_s.
                **{
                    f"cpu_{n}_{re.sub(r'[^a-z]+', '_', k.split(',')[0]).strip('_')}_s": round(v, 1)
                    for n, p in phases.items()
                    for k, v in p["cpu"].items()
                },
                "memory_growth_pct": max(worst, 0.0),
                "devices": len(plan["devices"]),
            }
        )
    )


if __name__ == "__main__":
    random.seed(16)
    main()
