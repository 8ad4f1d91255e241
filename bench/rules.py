"""make bench-rules: the nightly rules run on a synthetic city, and on one twice its size.

Generates in PostgreSQL by COPY (BENCH_SMOKE=1: 10 projects, the suite's smoke run):
2,000 active projects (10 districts), 100,000 engaged people (46
workers and 4 managers a project), 2 devices a project with their online history, 30 days of daily
presence and punches (about 88% attendance, 2–3 punches a day: some 5–6 million punches), with a
few planted conditions (absent managers, silent sites, back-filled and low-score punches). Then times
the nightly run for the month's last day (the heaviest: R11 and R16 judge the month), a full-month
rebuild (30 nights), the run's peak memory (its own process), and all of it again with twice the
projects and people (the smoke run: its night only, the doubling ratio then the nights'). On the base
city it also times the policy page's preview (issue 24: a draft judged over last month in a sandbox while
a staff member waits, target 45 s): a threshold change (R11's
key ratio and R12's silent days) and, for the record, a calendar change that re-judges every rule.
Prints last one JSON line {"night_s", "month_s", "peak_rss_mb", "doubling_ratio", "preview_s"}.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from attendance.rows import COLUMNS, copy_value, punch_row  # noqa: E402
from bench.size import SMOKE, pick  # noqa: E402
from smz_platform.common.template_db import template_ensure  # noqa: E402

DB = pick("smz_bench_rules", "smz_bench_rules_smoke")
PROJECTS, PER_PROJECT = pick(2000, 10), pick(50, 12)
# Cities of 10 districts each; more than one puts them under a province (bench/province.py).
CITIES = 1
MONTH = dt.date(2026, 10, 1)
LAST = dt.date(2026, 10, 31)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
            "DJANGO_SETTINGS_MODULE": "smz_platform.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    return env


def django(script: str, *args: str) -> str:
    """Run a Django script against the city's database (the test client's host allowed); its last line."""
    env = environment()
    env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    result = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr)
    return result.stdout.strip().splitlines()[-1]


def copy(cursor, table: str, columns: str, rows) -> int:
    """COPY rows (tuples of already-formatted text) in chunks; return how many."""
    total, buffer = 0, io.StringIO()
    for row in rows:
        buffer.write("\t".join(row) + "\n")
        total += 1
        if total % 200_000 == 0:
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            buffer = io.StringIO()
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    return total


def build(scale: int) -> dict:
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB}")
        cursor.execute(f"CREATE DATABASE {DB} TEMPLATE {template_ensure()}")  # migrated already: a copy
    admin.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment(), check=True)
    projects, per_project = PROJECTS * scale, PER_PROJECT
    rng = random.Random(scale)
    started = time.perf_counter()
    connection = psycopg2.connect(f"postgres://postgres@127.0.0.1:5432/{DB}")
    cursor = connection.cursor()
    now = "2026-11-01 03:00:00+08"
    districts = 10 * CITIES
    if CITIES == 1:
        cursor.execute(
            "INSERT INTO projects_region (id, code, name, level, parent_id) "
            "VALUES (1, '330200', '宁波市', 'city', NULL)"
        )
        copy(
            cursor,
            "projects_region",
            "id, code, name, level, parent_id",
            ((str(2 + d), f"3302{d + 1:02d}", f"区{d}", "district", "1") for d in range(10)),
        )
        district_ids = [2 + d for d in range(10)]
    else:  # a province (id 1), its cities (2…), ten districts each
        cursor.execute(
            "INSERT INTO projects_region (id, code, name, level, parent_id) "
            "VALUES (1, '330000', '浙江省', 'province', NULL)"
        )
        copy(
            cursor,
            "projects_region",
            "id, code, name, level, parent_id",
            ((str(2 + c), f"33{c + 1:02d}00", f"市{c}", "city", "1") for c in range(CITIES)),
        )
        district_ids = [2 + CITIES + n for n in range(districts)]
        copy(
            cursor,
            "projects_region",
            "id, code, name, level, parent_id",
            (
                (
                    str(district_ids[n]),
                    f"33{n // 10 + 1:02d}{n % 10 + 1:02d}",
                    f"市{n // 10}区{n % 10}",
                    "district",
                    str(2 + n // 10),
                )
                for n in range(districts)
            ),
        )
    copy(
        cursor,
        "projects_enterprise",
        "id, uscc, name, is_owner, is_contractor, is_subcontractor, is_supervisor, is_vendor, created_at",
        (
            (str(e), f"BENCH{e:013d}", f"企业{e}", "f", "t" if e > 10 else "f", "f", "f", "t" if e <= 10 else "f", now)
            for e in range(1, 211)
        ),
    )
    start = MONTH - dt.timedelta(days=60)
    copy(
        cursor,
        "projects_project",
        "id, permit_no, name, district_id, kind, building_area_m2, contract_cost_yuan, planned_start, actual_start, "
        "status, required_positions, address, created_at",
        (
            (
                str(p),
                f"P{p:07d}",
                f"工程{p}",
                str(district_ids[p % districts]),
                "building",
                "10000",
                "1",
                start.isoformat(),
                start.isoformat(),
                "active",
                '["project_manager", "chief_supervisor"]',
                "",
                now,
            )
            for p in range(1, projects + 1)
        ),
    )
    copy(
        cursor,
        "projects_projectparticipant",
        "project_id, enterprise_id, role",
        (
            row
            for p in range(1, projects + 1)
            for row in ((str(p), str(11 + p % 200), "contractor"), (str(p), str(1 + p % 10), "vendor"))
        ),
    )
    people = projects * per_project
    copy(
        cursor,
        "projects_person",
        "id, id_number_encrypted, id_number_digest, id_number_masked, id_number_warnings, name, gender, birth_year, "
        "ethnicity, address, id_issuer, education, skill_level, certificates, created_at",
        (
            (
                str(i),
                "gAAAAAbenchmark",
                hashlib.sha256(str(i).encode()).hexdigest(),
                f"341221********{i % 10000:04d}",
                "[]",
                f"工人{i}",
                "male",
                "1985",
                "",
                "",
                "",
                "",
                "",
                "",
                now,
            )
            for i in range(1, people + 1)
        ),
    )
    positions = ["project_manager", "chief_supervisor", "technical_lead", "safety_officer"]

    def engagement_rows():
        for i in range(1, people + 1):
            project, slot = (i - 1) // per_project + 1, (i - 1) % per_project
            manager = slot < 4
            yield (
                str(i),
                str(i),
                str(project),
                str(11 + project % 200),
                "manager" if manager else "worker",
                positions[slot] if manager else "",
                "",
                "" if manager else "020",
                start.isoformat(),
                "f",
                now,
            )

    copy(
        cursor,
        "projects_engagement",
        "id, person_id, project_id, employer_id, category, position, team, trade, entered_on, settlement_confirmed, "
        "created_at",
        engagement_rows(),
    )
    copy(
        cursor,
        "devices_device",
        "id, serial, vendor_id, model, kind, connection, project_id, location, secret_encrypted, state, firmware, "
        "liveness_enabled, online, registered_at, last_contact_at",
        (
            (
                str(d),
                f"D{d:07d}",
                str(1 + d % 10),
                "m",
                "gate",
                "direct",
                str((d - 1) // 2 + 1),
                "entrance",
                "x",
                "active",
                "",
                "t",
                "t",
                now,
                now,
            )
            for d in range(1, 2 * projects + 1)
        ),
    )
    copy(
        cursor,
        "devices_deviceflip",
        "device_id, at, field, value, detected_at",
        (
            (str(d), f"{start.isoformat()} 08:00:00+08", field, "t", f"{start.isoformat()} 08:00:00+08")
            for d in range(1, 2 * projects + 1)
            for field in ("online", "liveness")
        ),
    )
    days = [MONTH + dt.timedelta(days=n) for n in range(31)]
    presence, punches = [], 0

    def presence_and_punches():
        nonlocal punches
        punch_id = 0
        for i in range(1, people + 1):
            project = (i - 1) // per_project + 1
            slot = (i - 1) % per_project
            absent_manager = slot == 0 and project % 10 == 0  # R11: a project manager at ~60%
            silent = project % 50 == 0  # R12: a site silent for the last 6 days
            for day in days:
                if silent and day.day > 25:
                    continue
                if rng.random() > (0.6 if absent_manager else 0.88):
                    continue
                count = 3 if rng.random() < 0.15 else 2
                times = [
                    dt.datetime(day.year, day.month, day.day, 7, rng.randint(0, 59), tzinfo=SHANGHAI),
                    dt.datetime(day.year, day.month, day.day, 17, rng.randint(0, 59), tzinfo=SHANGHAI),
                    dt.datetime(day.year, day.month, day.day, 12, rng.randint(0, 59), tzinfo=SHANGHAI),
                ][:count]
                yield (
                    "presence",
                    (
                        str(i),
                        str(project),
                        day.isoformat(),
                        times[0].isoformat(),
                        times[1].isoformat(),
                        str(count),
                        str(count),
                        times[0].isoformat(),
                        times[1].isoformat(),
                    ),
                )
                for n, at in enumerate(times):
                    punch_id += 1
                    late = project % 97 == 0 and n == 0  # R13: back-filled
                    received = at + dt.timedelta(hours=60 if late else 0, seconds=5)
                    score = 0.61 if project % 89 == 0 and n == 0 else 0.93  # R09
                    row = punch_row(
                        device_id=2 * project - 1 + n % 2,
                        project_id=project,
                        person_id=i,
                        engaged=True,
                        record_id=f"R{punch_id}",
                        id_number_digest=hashlib.md5(str(i).encode()).hexdigest() * 2,
                        id_number_masked="341221********0000",
                        punched_at=at,
                        received_at=received,
                        direction="in" if n == 0 else "out",
                        method="face",
                        liveness=True,
                        match_score=score,
                    )
                    yield "punch", (str(punch_id), *map(copy_value, row))

    class Split:
        def __init__(self):
            self.rows = {"presence": [], "punch": []}

    split = Split()
    presence_columns = (
        "person_id, project_id, day, first_at, last_at, punch_count, valid_count, first_valid_at, last_valid_at"
    )
    punch_columns = ", ".join(("id", *COLUMNS))
    for kind, row in presence_and_punches():
        split.rows[kind].append(row)
        if len(split.rows["punch"]) >= 400_000:
            copy(cursor, "attendance_punch", punch_columns, split.rows["punch"])
            copy(cursor, "attendance_dailypresence", presence_columns, split.rows["presence"])
            punches += len(split.rows["punch"])
            presence += [len(split.rows["presence"])]
            split.rows = {"presence": [], "punch": []}
    copy(cursor, "attendance_punch", punch_columns, split.rows["punch"])
    copy(cursor, "attendance_dailypresence", presence_columns, split.rows["presence"])
    punches += len(split.rows["punch"])
    presence_rows = sum(presence) + len(split.rows["presence"])
    for table in (
        "projects_region",
        "projects_enterprise",
        "projects_project",
        "projects_person",
        "projects_engagement",
        "devices_device",
    ):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    connection.commit()
    connection.autocommit = True
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("CHECKPOINT")
    connection.close()
    return {
        "projects": projects,
        "people": people,
        "punches": punches,
        "presence": presence_rows,
        "build_s": round(time.perf_counter() - started, 1),
    }


# The peak memory a run reports is VmHWM, its own high-water mark: ru_maxrss would also count the pages of
# the benchmark process it was forked from (Linux carries it across exec), the city's build buffers.
RUN = """
import django, json, resource, sys, time, datetime as dt
django.setup()
from inspections.engine import rules_run
first, last = dt.date.fromisoformat(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
started = time.perf_counter()
day, findings = first, 0
while day <= last:
    findings += sum(r.findings for r in rules_run(day=day, now=dt.datetime(2026, 11, 1, 1, 30, tzinfo=dt.timezone.utc)))
    day += dt.timedelta(days=1)
print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "findings": findings,
                  "peak_rss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024}))
"""


PREVIEW = """
import django, json, resource, sys, time, datetime as dt
django.setup()
from inspections.engine.preview import policy_preview
from inspections.models import Alert, Policy
from inspections.selectors.policies import policy_as_of, with_values
policy = policy_as_of(Policy.objects.get(district__isnull=True, in_force=True))
draft = with_values(policy, json.loads(sys.argv[1]))
alerts = Alert.objects.count()
started = time.perf_counter()
preview = policy_preview(policy=policy, draft=draft, today=dt.date(2026, 11, 15))
seconds = round(time.perf_counter() - started, 2)
assert Alert.objects.count() == alerts, "the preview wrote alerts"
print(json.dumps({"seconds": seconds, "rules": preview.rules,
                  "appear": sum(len(d.appear) for d in preview.districts),
                  "vanish": sum(len(d.vanish) for d in preview.districts),
                  "peak_rss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024}))
"""


def preview(values: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PREVIEW, json.dumps(values)],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(first: dt.date, last: dt.date) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", RUN, first.isoformat(), last.isoformat()],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(scale: int) -> dict:
    print(f"building the city ×{scale} …", flush=True)
    built = build(scale)
    print(f"  {built}", flush=True)
    night = run(LAST, LAST)
    print(f"  one night ({LAST}, month end): {night}", flush=True)
    if scale > 1 and SMOKE:  # the smoke run shows the doubled city built and judged; its month is the base's code
        return {"built": built, "night": night}
    # The month rebuild starts from no alerts, as a first run over history would.
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            DB,
            "-qc",
            "SET client_min_messages = warning; "
            "TRUNCATE inspections_alert, inspections_rulerun, inspections_nightlyrun, "
            "attendance_punchverdict CASCADE",
        ],
        check=True,
    )
    month = run(MONTH, LAST)
    print(f"  month rebuild ({MONTH} – {LAST}): {month}", flush=True)
    if scale > 1:
        return {"built": built, "night": night, "month": month}
    threshold = preview({"r11_key_ratio": "0.900", "r12_silent_days": 3})
    print(f"  policy preview, a threshold change (R11 key ratio 90%, R12 3 days): {threshold}", flush=True)
    calendar = preview({"count_sundays": False})
    print(f"  policy preview, a calendar change (Sundays off: every rule): {calendar}", flush=True)
    return {"built": built, "night": night, "month": month, "preview": threshold, "calendar": calendar}


def drop_unless_kept() -> None:
    """Nothing reuses a benchmark's own city (gigabytes): it goes at the end, unless SMZ_BENCH_KEEP=1 keeps
    it to look into (bench-reports and bench-dashboard build and keep their own)."""
    if os.environ.get("SMZ_BENCH_KEEP") != "1":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"],
            check=True,
        )


def main() -> None:
    base = measure(1)
    double = measure(2)
    drop_unless_kept()
    measured = "month" if "month" in double else "night"
    ratio = double[measured]["seconds"] / base[measured]["seconds"]
    nights = double["night"]["seconds"] / base["night"]["seconds"]
    print(f"doubling: month {ratio:.2f}×, night {nights:.2f}×" if measured == "month" else f"doubling: {nights:.2f}×")
    print(
        json.dumps(
            {
                "night_s": base["night"]["seconds"],
                "month_s": base["month"]["seconds"],
                "peak_rss_mb": max(base["night"]["peak_rss_mb"], base["month"]["peak_rss_mb"]),
                "doubling_ratio": round(ratio, 2),
                "preview_s": base["preview"]["seconds"],
            }
        )
    )


if __name__ == "__main__":
    main()
