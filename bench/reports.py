"""make bench-reports: Annex 1 on the benchmark city of the rules issue.

Builds the city of bench/rules.py (2,000 projects in 10 districts, 100,000 people, October 2026:
some 5–6 million punches) in its own database, runs the nightly rules over the month (the alerts
Annex 1 counts), adds enforcement at a busy campaign's scale (a site visit with findings on 30% of
projects, cases with measures on 15%, ten blacklistings of the ten vendors), then times the
downloads through the real view (authentication, jurisdiction, the audit log, the workbook): each
district's Annex 1 and the city workbook, several times each. Prints one JSON line at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import rules as city  # noqa: E402
from bench.size import SMOKE, pick  # noqa: E402

city.DB = pick("smz_bench_reports", "smz_bench_reports_smoke")
REPEAT = pick(5, 1)

ENFORCE = """
import django, random, datetime as dt
django.setup()
from django.utils import timezone
from inspections.models import Inspection, InspectionFinding, Case, Measure
from projects.models import Project, Enterprise, User
from projects.choices import Role
rng = random.Random(7)
staff = User.objects.create(username="bench-city", role=Role.CITY, is_staff=True)
now = timezone.now()
projects = list(Project.objects.order_by("pk").values_list("pk", flat=True))
inspections = [Inspection(project_id=p, kind="site_visit", day=dt.date(2026, 10, rng.randint(1, 31)),
                          inspectors="bench", headcount=40, recorded_by=staff)
               for p in rng.sample(projects, len(projects) * 3 // 10)]
Inspection.objects.bulk_create(inspections, batch_size=2000)
codes = ["R01", "R02", "R03", "R04", "R06", "R07", "R09", "R12", "R13"]
InspectionFinding.objects.bulk_create([InspectionFinding(inspection=i, category=rng.choice(codes), description="bench")
                                       for i in inspections for _ in range(rng.randint(0, 2))], batch_size=5000)
cases = Case.objects.bulk_create([Case(project_id=p, title="bench", opened_by=staff, opened_at=now)
                                  for p in rng.sample(projects, len(projects) * 15 // 100)], batch_size=2000)
kinds = ["rectification", "stop_work", "credit", "circular", "key_supervision", "penalty"]
measures = []
for case in cases:
    for kind in rng.sample(kinds, rng.randint(1, 3)):
        measures.append(Measure(case=case, kind=kind, state="issued", issued_on=dt.date(2026, 10, rng.randint(1, 31)),
                                issuing_body="bench", deadline=dt.date(2026, 11, 15), created_at=now,
                                fine_yuan=50000 if kind == "penalty" else None))
vendors = list(Enterprise.objects.filter(is_vendor=True))
for n, case in enumerate(cases[:10]):
    measures.append(Measure(case=case, kind="vendor_blacklist", state="issued", issued_on=dt.date(2026, 10, 20),
                            issuing_body="bench", target_enterprise=vendors[n % len(vendors)], created_at=now))
Measure.objects.bulk_create(measures, batch_size=5000)
print(len(inspections), len(cases), len(measures))
"""

TIME = """
import django, json, statistics, sys, time
django.setup()
from django.db import connection, reset_queries
from django.test import Client
from projects.models import Region, User
from projects.choices import Role
repeat = int(sys.argv[1])
city_user = User.objects.get(username="bench-city")
results = {}
def timed(user, query):
    client = Client()
    client.force_login(user)
    seconds, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get("/reports/annex1.xlsx?" + query, secure=True)  # production settings redirect to https
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        size = len(response.content)
    return {"median_s": round(statistics.median(seconds), 3), "max_s": round(max(seconds), 3), "bytes": size}
districts = {}
for district in Region.objects.filter(level="district").order_by("code"):
    user, _ = User.objects.get_or_create(username=f"bench-{district.code}", role=Role.DISTRICT, district=district)
    districts[district.code] = timed(user, f"district={district.code}&from=2026-10-01&to=2026-10-31")
results["district"] = {"median_s": round(statistics.median(d["median_s"] for d in districts.values()), 3),
                       "max_s": max(d["max_s"] for d in districts.values())}
results["city"] = timed(city_user, "from=2026-10-01&to=2026-10-31")
print(json.dumps(results))
"""


django = city.django


def database_ready() -> bool:
    """The city of an earlier run is still there (set SMZ_BENCH_REBUILD=1 to build it again)."""
    import os

    if os.environ.get("SMZ_BENCH_REBUILD") or (SMOKE and os.environ.get("BENCH_SMOKE_REUSE") != "1"):
        return False
    probe = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            city.DB,
            "-tAc",
            "SELECT count(*) FROM inspections_measure",
        ],
        capture_output=True,
        text=True,
    )
    return probe.returncode == 0 and probe.stdout.strip() not in ("", "0")


def vacuum(name: str, *, compact: tuple[str, ...] = ()) -> None:
    """A month of nights run in one go, in one process whose open transaction holds autovacuum off, leaves
    the alerts' table with every night's old row versions: 687 MB for 94,695 alerts (23 MB compacted), which
    a plain VACUUM marks reusable but does not give back, so every scan of the table read thirty times its
    rows (the city's unfiltered triage 630 ms, 150 ms compacted). A live platform's autovacuum runs between
    nights and the next night's updates reuse the space: the tables in `compact` are rewritten (VACUUM FULL,
    which also rebuilds their indexes), then the whole database vacuumed and its statistics read."""
    import psycopg2

    connection = psycopg2.connect(f"postgres://postgres@127.0.0.1:5432/{name}")
    connection.autocommit = True
    with connection.cursor() as cursor:
        for table in compact:
            cursor.execute(f"VACUUM (FULL) {table}")
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def prepare() -> None:
    if database_ready():
        print(f"reusing the benchmark city in {city.DB}", flush=True)
    else:
        print("building the benchmark city …", flush=True)
        print(f"  {city.build(1)}", flush=True)
        print(f"  rules over October: {city.run(city.MONTH, city.LAST)}", flush=True)
        print(f"  inspections, cases, measures: {django(ENFORCE)}", flush=True)
        vacuum(city.DB, compact=("inspections_alert",))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=city.environment(), check=True)


def main() -> None:
    prepare()
    figures = json.loads(django(TIME, str(REPEAT)))
    print(f"  district Annex 1 (10 districts × {REPEAT}): {figures['district']}  (target ≤ 1 s)")
    print(f"  city Annex 1 (× {REPEAT}): {figures['city']}  (target ≤ 5 s)")
    print(
        json.dumps(
            {
                "district_median_s": figures["district"]["median_s"],
                "district_max_s": figures["district"]["max_s"],
                "city_median_s": figures["city"]["median_s"],
                "city_max_s": figures["city"]["max_s"],
            }
        )
    )


if __name__ == "__main__":
    main()
