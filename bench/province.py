"""make bench-province: the month-end night of a province, fanned out over 1 and 2 worker processes.

Builds by COPY (bench/rules.py's generator) a province of five cities of ten districts each: 10,000
active projects, 500,000 engaged people, October 2026 of daily presence and about 29 million punches
(BENCH_SMOKE=1: 20 projects, the suite's smoke run). Then, for the month's last night (R11 and R16
judge the month):

- the whole night in one process (inspections.engine.rules_run), for reference;
- the night as the beat runs it (inspections.tasks.run_rules_nightly_task: a part per district and
  stage), on a real Celery worker with 1 and then 2 pool processes, from dispatch until the day's row
  is complete; each pool process's peak memory (VmHWM); the alerts checked equal to the whole run's.

Then the provincial regulator's pages: the province overview (after the month's roll-up, and the
beat's count of the province's live figures, timed on its own) and the province's Annex 1 for
October. Prints the database's size, and last one JSON line {"night_whole_s", "night_1_worker_s",
"night_2_workers_s", "speedup", "peak_rss_mb_per_worker", "disk_gb", "punches", "overview_ms",
"overview_count_s", "annex1_s"}. The replica of make test (scripts/replica.sh) is stopped first at
full size: it would stream the whole build. BENCH_KEEP=1 keeps the database afterwards (else it is
dropped: about 12 GB), BENCH_REUSE=1 measures again on a kept one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import rules  # noqa: E402
from bench.size import SMOKE, pick  # noqa: E402

rules.DB = pick("smz_bench_province", "smz_bench_province_smoke")
rules.PROJECTS, rules.CITIES = pick(10_000, 20), 5
BROKER = "redis://127.0.0.1:6379/10"  # its own: not the load test's (13, 12) nor a test worker's (15, 14)


def psql(sql: str) -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", rules.DB, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def psql_exists() -> bool:
    found = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atqc",
            f"SELECT 1 FROM pg_database WHERE datname = '{rules.DB}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip() == "1"


def reset() -> None:
    psql(
        "SET client_min_messages = warning; TRUNCATE inspections_alert, inspections_rulerun, inspections_nightlyrun, "
        "attendance_punchverdict CASCADE"
    )


def alerts() -> str:
    return psql(
        "SELECT count(*) || ':' || md5(string_agg(key || rule || state || period_end, ',' ORDER BY key)) "
        "FROM inspections_alert"
    )


def worker_env() -> dict[str, str]:
    env = rules.environment()
    env.update(CELERY_BROKER_URL=BROKER, CELERY_RESULT_BACKEND=BROKER, SMZ_LOG_FORMAT="plain")
    return env


def peak_rss_mb(pids: list[int]) -> int:
    peaks = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) // 1024)
    return max(peaks, default=0)


def fanned_night(processes: int) -> dict:
    """The night dispatched as the beat does, run by one worker with `processes` pool processes."""
    reset()
    subprocess.run(["redis-cli", "-n", BROKER.rsplit("/", 1)[1], "FLUSHDB"], check=True, capture_output=True)
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "smz_platform",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(processes),
            "-n",
            f"bench{processes}@province",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=worker_env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline and len(children) < processes:
            time.sleep(0.5)
            path = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
            children = [int(c) for c in path.read_text().split()] if path.exists() else []
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\n"
                "from inspections.tasks import run_rules_nightly_task\n"
                f"run_rules_nightly_task.delay('{rules.LAST.isoformat()}')",
            ],
            cwd=ROOT,
            env=worker_env(),
            check=True,
        )
        started = time.perf_counter()
        state = ""
        while state not in ("complete", "failed"):
            time.sleep(0.2)
            state = psql(f"SELECT state FROM inspections_nightlyrun WHERE day = '{rules.LAST}' AND part = ''")
            if time.perf_counter() - started > 3600:
                raise RuntimeError("the night did not complete within an hour")
        seconds = time.perf_counter() - started
        parts = int(psql(f"SELECT count(*) FROM inspections_nightlyrun WHERE day = '{rules.LAST}' AND part <> ''"))
        return {
            "seconds": round(seconds, 2),
            "state": state,
            "parts": parts,
            "peak_rss_mb": peak_rss_mb(children),
            "alerts": alerts(),
        }
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


PAGES = """
import django, json, statistics, sys, time, datetime as dt
import time_machine
django.setup()
from django.test import Client
from projects.models import Region, User
from projects.choices import Role
from reports.dashboard.rollup import district_days_roll_up
repeat = int(sys.argv[1])
with time_machine.travel("2026-10-31 15:00 +0800", tick=True):
    started = time.perf_counter()
    for n in range(30, 0, -1):  # the nightly roll-up the overview's trends read
        district_days_roll_up(day=dt.date(2026, 10, 31) - dt.timedelta(days=n), with_managers=n == 1)
    rollup = time.perf_counter() - started
    province = Region.objects.get(level="province")
    user, _ = User.objects.get_or_create(username="bench-province", defaults={"role": Role.PROVINCE,
                                                                               "region": province})
    results = {"rollup_s": round(rollup, 1)}
    # The beat counts the province's live figures every minute, off the page's path: timed on its own.
    from reports.tasks import refresh_province_overviews_task
    counted = time.perf_counter()
    refresh_province_overviews_task.apply()
    results["overview_count_s"] = round(time.perf_counter() - counted, 3)
    for name, url, times in (("province overview", "/", repeat),
                             ("province annex1", "/reports/annex1.xlsx?from=2026-10-01&to=2026-10-31", 3)):
        client = Client()
        client.force_login(user)
        client.get(url, secure=True)  # warm the connection and the template cache
        seconds = []
        for _ in range(times):
            begun = time.perf_counter()
            response = client.get(url, secure=True)  # production settings redirect to https
            seconds.append(time.perf_counter() - begun)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = {"median_s": round(statistics.median(seconds), 3), "max_s": round(max(seconds), 3)}
print(json.dumps(results))
"""


def pages() -> dict:
    """The province's overview page and its Annex 1 for the month, as the provincial regulator opens them."""
    env = worker_env()
    env.pop("CELERY_BROKER_URL")  # in-process
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"  # Django's test client
    subprocess.run([sys.executable, "manage.py", "collectstatic_if_changed"], cwd=ROOT, env=env, check=True)
    result = subprocess.run(
        [sys.executable, "-c", PAGES, str(pick(20, 2))],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    if not SMOKE:  # the smoke run is inside the suite, whose replica tests need it
        subprocess.run(["bash", str(ROOT / "scripts/replica.sh"), "stop"], check=False, capture_output=True)
    if os.environ.get("BENCH_REUSE") == "1" and psql_exists():
        built = {"punches": int(psql("SELECT count(*) FROM attendance_punch")), "reused": True}
    else:
        print("building the province (5 cities) …", flush=True)
        built = rules.build(1)
    disk = int(psql(f"SELECT pg_database_size('{rules.DB}')"))
    print(f"  {built}; database {disk / 2**30:.1f} GiB", flush=True)
    whole = rules.run(rules.LAST, rules.LAST)
    whole["alerts"] = alerts()
    print(f"  the whole night in one process: {whole}", flush=True)
    one = fanned_night(1)
    print(f"  fanned out, 1 worker process: {one}", flush=True)
    two = fanned_night(2)
    print(f"  fanned out, 2 worker processes: {two}", flush=True)
    for run in (one, two):
        if run["state"] != "complete" or run["alerts"] != whole["alerts"]:
            raise SystemExit(f"the fanned-out night differs from the whole run: {run} / {whole}")
    shown = pages()
    print(f"  the province's pages (after the night): {shown}", flush=True)
    if os.environ.get("BENCH_KEEP") != "1":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", rules.DB], check=True)
    print(
        json.dumps(
            {
                "night_whole_s": whole["seconds"],
                "night_1_worker_s": one["seconds"],
                "night_2_workers_s": two["seconds"],
                "speedup": round(one["seconds"] / two["seconds"], 2),
                "peak_rss_mb_per_worker": max(one["peak_rss_mb"], two["peak_rss_mb"]),
                "disk_gb": round(disk / 10**9, 2),
                "punches": built["punches"],
                "overview_ms": round(shown["province overview"]["median_s"] * 1000),
                "overview_count_s": shown["overview_count_s"],
                "annex1_s": shown["province annex1"]["median_s"],
            }
        )
    )


if __name__ == "__main__":
    main()
