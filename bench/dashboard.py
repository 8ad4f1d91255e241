"""make bench-dashboard: the dashboard's pages on the benchmark city (bench/reports.py builds it).

Uses the database of make bench-reports (building it first when missing): 2,000 projects, 100,000
people, October 2026 with its alerts, inspections and cases. Rolls the month up for the trends (the
nightly task), then, with the clock at 31 October 2026 15:00, requests each page through Django's
test client (middleware, session, templates: the server's whole work) several times and prints the
median and maximum time and the number of queries per page. Target: ≤ 300 ms each.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import reports  # noqa: E402
from bench.size import pick  # noqa: E402

REPEAT = pick(7, 1)

PAGES = """
import django, json, statistics, sys, time, datetime as dt
import time_machine
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from attendance.models import Punch
from inspections.models import Alert, Case
from devices.models import Device
from projects.models import Project, Region, User
from projects.choices import Role
from reports.dashboard.rollup import district_days_roll_up
repeat = int(sys.argv[1])
with time_machine.travel("2026-10-31 15:00 +0800", tick=True):
    for n in range(30, 0, -1):
        district_days_roll_up(day=dt.date(2026, 10, 31) - dt.timedelta(days=n), with_managers=n == 1)
    city_user, _ = User.objects.get_or_create(username="bench-city", defaults={"role": Role.CITY})
    district = Region.objects.filter(level="district").order_by("code").first()
    staff, _ = User.objects.get_or_create(username=f"bench-{district.code}", role=Role.DISTRICT, district=district)
    project = Project.objects.filter(district=district).order_by("pk").first()
    device = Device.objects.filter(project=project).first()
    alert = Alert.objects.filter(project__district=district).first()
    pages = [("city overview", city_user, "/"), ("district page", staff, f"/districts/{district.code}/"),
             ("project page", staff, f"/projects/{project.permit_no}/?month=2026-10"),
             ("alert triage", staff, "/alerts/?state=open"), ("alert triage, city", city_user, "/alerts/"),
             ("alert evidence", staff, f"/alerts/{alert.pk}/"), ("device page", staff, f"/devices/{device.serial}/"),
             ("reports page", staff, "/reports/"), ("projects list, city", city_user, "/projects/")]
    # The workbench's pages (issue 15): a case, the site-visit form, the draws, a punch, the filings.
    case = Case.objects.filter(project__district=district).order_by("pk").first()
    punch = Punch.objects.filter(project_id=project.pk).order_by("-punched_at").first()
    pages += [("case page", staff, f"/cases/{case.pk}/") if case else None,
              ("site visit form", staff, f"/projects/{project.permit_no}/inspections/new/"),
              ("random draws", staff, "/draws/"), ("punch page", staff, f"/punches/{punch.pk}/") if punch else None,
              ("filings, city", city_user, "/submissions/"), ("filings, district", staff, "/submissions/")]
    # Issue 25: the 待办 of each level, the list a 在建 card opens, the triage's 未处理 list.
    pages += [("to-do, district", staff, "/todo/"), ("to-do, city", city_user, "/todo/"),
              ("projects 在建, city", city_user, "/projects/?status=active"),
              ("alerts 未处理, city", city_user, "/alerts/?live=1")]
    # Issue 25, the lists (one component): the city's widest lists, sorted and exported as a user would.
    pages += [("cases list, city", city_user, "/cases/"), ("measures list, city", city_user, "/measures/"),
              ("devices list, city", city_user, "/devices/"), ("inspections list, city", city_user, "/inspections/"),
              ("roster, district", staff, f"/projects/{project.permit_no}/people/"),
              ("projects sorted by name, 100/page", city_user, "/projects/?o=name&size=100"),
              ("projects export, city", city_user, "/projects/?export=xlsx")]
    pages = [p for p in pages if p]
    results = {}
    for name, user, url in pages:
        client = Client()
        client.force_login(user)
        client.get(url, secure=True)  # warm the connection and the template cache
        seconds = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)  # production settings redirect to https
                seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = {"median_ms": round(statistics.median(seconds) * 1000), "max_ms": round(max(seconds) * 1000),
                         "queries": len(queries)}
print(json.dumps(results, ensure_ascii=False))
"""


def main() -> None:
    reports.prepare()
    # Production settings serve hashed static files (whitenoise's manifest), as a deployment would.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic_if_changed"],
        cwd=ROOT,
        env=reports.city.environment(),
        check=True,
    )
    figures = json.loads(reports.django(PAGES, str(REPEAT)))
    for name, figure in figures.items():
        print(
            f"  {name:<24} median {figure['median_ms']:>4} ms  max {figure['max_ms']:>4} ms  "
            f"{figure['queries']:>3} queries  (target ≤ 300 ms)"
        )
    print(json.dumps({name: figure["median_ms"] for name, figure in figures.items()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
