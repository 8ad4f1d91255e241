"""make bench-wages: the wage month of the rules benchmark's city (issue 27).

Builds the city of bench/rules.py (2,000 projects in 10 districts, 100,000 people, October 2026) in its
own database, then gives it a month of wages by set-based SQL over what the city holds: a wage special
account and a labour-cost deposit per project, one confirmed wage sheet per project for October with a
line per engaged worker (about 92,000 lines: his valid days from presence, 300 yuan a day, the bank's
result recorded), a labour contract per worker, and the planted conditions each wage rule finds (a
project with no sheet, a line for a person the project does not engage, lines one yuan short at the
bank, lines paid outside the account, projects with no deposit, a worker gone with no settlement,
workers without a contract).

Then it times, through the real views (authentication, scope, the workbook or CSV reader, the service's
checks and encryption): importing one 500-line wage sheet from the published workbook and the bank's
500-row result file for it; the nightly run of 1 December (October's wages are due on 30 November)
with the wage rules' own share; the district arrears overview (/arrears/) as each district and the
city. Prints last one JSON line {"import_s", "bank_s", "wage_rules_s", "night_s", "arrears_ms", …}.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import rules as city  # noqa: E402
from bench.size import pick  # noqa: E402

city.DB = pick("smz_bench_wages", "smz_bench_wages_smoke")
IMPORT_LINES = pick(500, 20)
REPEAT = pick(5, 1)
# Every n-th project (W7: person) carries each rule's planted condition; the smoke city has 10 projects.
PLANTED = pick(
    {"w1": 30, "w2": 45, "w3": 25, "w4": 70, "w5": 40, "w6": 50, "w7": 100},
    {"w1": 3, "w2": 5, "w3": 5, "w4": 7, "w5": 4, "w6": 2, "w7": 10},
)

# The month's wages, by set-based SQL over the city (psql runs it; :'user' is the bench's staff account).
WAGES_SQL = """
-- On every :w6-th project one worker left on 20 October and nobody settled with him (W6).
UPDATE projects_engagement SET exited_on = DATE '2026-10-20'
WHERE id IN (SELECT min(id) FROM projects_engagement WHERE category = 'worker' AND project_id % :w6 = 0
             GROUP BY project_id);

INSERT INTO wages_wageaccount (project_id, bank, account_name, number_encrypted, number_masked, opened_on,
                               opened_by_id, created_at)
SELECT p.id, '中国建设银行宁波分行', p.name || '农民工工资专用账户', 'gAAAAAbench',
       '3310 **** **** ' || lpad((p.id % 10000)::text, 4, '0'), p.actual_start, :user, now()
FROM projects_project p;

-- The owner pays the labour cost for August to December, except on every :w5-th project (W5).
INSERT INTO wages_labourcostdeposit (project_id, paid_on, amount, first_month, last_month, entered_by_id, created_at)
SELECT p.id, p.actual_start + 3, 500000, date_trunc('month', p.actual_start)::date, DATE '2026-12-01', :user, now()
FROM projects_project p WHERE p.id % :w5 <> 0;

-- One sheet per project and its contractor for October, except on every :w1-th project (W1).
INSERT INTO wages_wagesheet (project_id, employer_id, team, month, state, prepared_by_id, prepared_at,
                             confirmed_by_id, confirmed_at)
SELECT p.id, pp.enterprise_id, '', DATE '2026-10-01', 'confirmed', :user, TIMESTAMPTZ '2026-11-05 10:00+08',
       :user, TIMESTAMPTZ '2026-11-06 10:00+08'
FROM projects_project p JOIN projects_projectparticipant pp ON pp.project_id = p.id AND pp.role = 'contractor'
WHERE p.id % :w1 <> 0 AND p.permit_no <> 'PWAGES0001';

-- A line per engaged worker: his valid days in October, 300 yuan a day, paid by the bank on 15 November;
-- one yuan short on every :w3-th project (W3), outside the special account on every :w4-th (W4).
INSERT INTO wages_wageline (sheet_id, engagement_id, person_id, attended_days, due, paid, paid_on,
                            card_encrypted, card_masked, through_special_account, bank_status, bank_amount,
                            bank_paid_on, bank_result_at)
SELECT s.id, e.id, e.person_id, coalesce(d.days, 0), 300 * coalesce(d.days, 0), 300 * coalesce(d.days, 0),
       DATE '2026-11-15', 'gAAAAAbench', '6217 **** **** ' || lpad((e.person_id % 10000)::text, 4, '0'),
       s.project_id % :w4 <> 0,
       CASE WHEN s.project_id % :w4 <> 0 THEN 'paid' ELSE '' END,
       CASE WHEN s.project_id % :w4 = 0 THEN NULL
            ELSE 300 * coalesce(d.days, 0) - CASE WHEN s.project_id % :w3 = 0 THEN 1 ELSE 0 END END,
       CASE WHEN s.project_id % :w4 <> 0 THEN DATE '2026-11-15' END,
       CASE WHEN s.project_id % :w4 <> 0 THEN TIMESTAMPTZ '2026-11-16 09:00+08' END
FROM wages_wagesheet s
JOIN projects_engagement e ON e.project_id = s.project_id AND e.category = 'worker'
LEFT JOIN (SELECT person_id, project_id, count(*) AS days FROM attendance_dailypresence
           WHERE day BETWEEN '2026-10-01' AND '2026-10-31' AND valid_count > 0
           GROUP BY person_id, project_id) d ON d.person_id = e.person_id AND d.project_id = e.project_id;

-- On every :w2-th project the sheet also pays a worker of the next project, whom it does not engage (W2).
INSERT INTO wages_wageline (sheet_id, engagement_id, person_id, attended_days, due, paid, paid_on,
                            card_encrypted, card_masked, through_special_account, bank_status, bank_amount,
                            bank_paid_on, bank_result_at)
SELECT s.id, e.id, e.person_id, 20, 6000, 6000, DATE '2026-11-15', 'gAAAAAbench', '6217 **** **** 9999', true,
       'paid', 6000, DATE '2026-11-15', TIMESTAMPTZ '2026-11-16 09:00+08'
FROM wages_wagesheet s
JOIN LATERAL (SELECT id, person_id FROM projects_engagement
              WHERE project_id = s.project_id + 1 AND category = 'worker' ORDER BY id LIMIT 1) e ON true
WHERE s.project_id % :w2 = 0;

-- A labour contract per worker, except every :w7-th person (W7).
INSERT INTO wages_labourcontract (engagement_id, code, signed_on, period, starts_on, ends_on, pay_unit, unit_price,
                                  file, original_name, content_type, size, sha256, recorded_by_id, created_at)
SELECT e.id, 'HT' || e.id, e.entered_on, 'task', e.entered_on, NULL, 'day', 300, '', '', '', 0, '', :user, now()
FROM projects_engagement e WHERE e.category = 'worker' AND e.person_id % :w7 <> 0;

VACUUM ANALYZE wages_wageaccount, wages_labourcostdeposit, wages_wagesheet, wages_wageline, wages_labourcontract;
SELECT (SELECT count(*) FROM wages_wagesheet) || ' sheets, ' || (SELECT count(*) FROM wages_wageline) || ' lines, '
       || (SELECT count(*) FROM wages_labourcontract) || ' contracts';
"""

# The staff accounts, and the project a subcontractor imports its 500 workers' month into: people with
# real ID numbers (the workbook names them so), engaged since August, present on October's working days.
SETUP = """
import django, datetime as dt, sys
django.setup()
from stdnum.cn import ric
from attendance.models import DailyPresence
from projects.choices import Category, ParticipantRole, Role
from projects.models import Engagement, Enterprise, Person, Project, ProjectParticipant, Region, User
from smz_platform.common import pii
lines = int(sys.argv[1])
staff = User.objects.create(username="bench-city", role=Role.CITY, is_staff=True)
district = Region.objects.filter(level="district").order_by("code").first()
firm = Enterprise.objects.create(uscc="91330200MA2BENCH01", name="宁波基准劳务有限公司", is_subcontractor=True)
User.objects.create(username="bench-sub", role=Role.ENTERPRISE, enterprise=firm)
template = Project.objects.order_by("pk").first()
project = Project.objects.create(permit_no="PWAGES0001", name="工资导入基准工程", district=district, kind="building",
    building_area_m2=10000, contract_cost_yuan=1, planned_start=template.planned_start,
    actual_start=template.actual_start, status="active", required_positions=[])
contractor = ProjectParticipant.objects.get(project=template, role=ParticipantRole.CONTRACTOR).enterprise
User.objects.create(username="bench-contractor", role=Role.ENTERPRISE, enterprise=contractor)
ProjectParticipant.objects.bulk_create([ProjectParticipant(project=project, enterprise=contractor, role="contractor"),
                                        ProjectParticipant(project=project, enterprise=firm, role="subcontractor")])
numbers = []
for n in range(lines):
    body = "330203" + (dt.date(1970, 1, 1) + dt.timedelta(days=n * 23)).strftime("%Y%m%d") + f"{n % 1000:03d}"
    numbers.append(body + ric.calc_check_digit(body + "0"))  # it reads the first 17 of 18
people = Person.objects.bulk_create([Person(id_number_encrypted=pii.encrypt(number),
    id_number_digest=pii.lookup_digest(number), id_number_masked=pii.mask_id_number(number), name=f"导入工人{n}",
    gender="male", birth_year=1970 + n // 16) for n, number in enumerate(numbers)])
Engagement.objects.bulk_create([Engagement(person=p, project=project, employer=firm, category=Category.WORKER,
    trade="020", entered_on=dt.date(2026, 8, 1)) for p in people])
days = [dt.date(2026, 10, d) for d in range(1, 32) if dt.date(2026, 10, d).weekday() < 6]
shanghai = dt.timezone(dt.timedelta(hours=8))
def at(day, hour):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=shanghai)
DailyPresence.objects.bulk_create([DailyPresence(person=p, project=project, day=d, first_at=at(d, 7), last_at=at(d, 17),
    punch_count=2, valid_count=2, first_valid_at=at(d, 7), last_valid_at=at(d, 17)) for p in people for d in days],
    batch_size=5000)
with open(sys.argv[2], "w") as out:
    out.write("\\n".join(numbers))
print(staff.pk)
"""

TIME = """
import django, io, json, statistics, sys, time, datetime as dt
django.setup()
from django.test import Client
from openpyxl import load_workbook
from projects.models import Person, Region, User
from projects.choices import Role
from wages.models import WageLine, WageSheet
from inspections.engine import rules_run
repeat = int(sys.argv[1])
numbers = open(sys.argv[2]).read().split()
def card(n):
    return f"62170000{n:011d}"
def client(username):
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c
sub, contractor = client("bench-sub"), client("bench-contractor")
book = load_workbook(io.BytesIO(sub.get("/api/v1/wage-sheets/template.xlsx", secure=True).content))
names = dict(Person.objects.filter(engagements__project__permit_no="PWAGES0001").values_list("name", "pk"))
people = Person.objects.filter(engagements__project__permit_no="PWAGES0001").order_by("pk")
for row, (number, person) in enumerate(zip(numbers, people), start=2):
    for column, value in enumerate([number, person.name, 7800, 7800, dt.datetime(2026, 11, 10), card(row), "是"], 1):
        book.active.cell(row, column, value)
content = io.BytesIO()
book.save(content)
firm = User.objects.get(username="bench-sub").enterprise_id
imports, banks = [], []
for attempt in range(repeat):
    WageSheet.objects.filter(project__permit_no="PWAGES0001").delete()
    upload = io.BytesIO(content.getvalue())
    upload.name = "十月工资.xlsx"
    started = time.perf_counter()
    answer = sub.post("/projects/PWAGES0001/wages/sheets/", {"month": "2026-10", "employer": firm, "file": upload},
                      secure=True)
    imports.append(time.perf_counter() - started)
    sheet = WageSheet.objects.filter(project__permit_no="PWAGES0001").first()
    if sheet is None:  # the page names why
        sys.exit(sub.get(answer.url, secure=True).content.decode())
    assert sheet.lines.count() == len(numbers), "the import did not write every line"
    assert contractor.post(f"/wage-sheets/{sheet.pk}/confirm/", secure=True).status_code == 302
    rows = ["账号,户名,金额,状态,日期"] + [f"{card(row)},{person.name},7800.00,成功,2026-11-10"
                                         for row, person in enumerate(people, start=2)]
    bank = io.BytesIO("\\n".join(rows).encode("gbk"))
    bank.name = "代发结果.csv"
    started = time.perf_counter()
    answer = contractor.post(f"/wage-sheets/{sheet.pk}/bank-results/", {"file": bank}, secure=True)
    banks.append(time.perf_counter() - started)
    assert answer.status_code == 302, answer.content[:500]
    paid = WageLine.objects.filter(sheet=sheet, bank_status="paid").count()
    assert paid == len(numbers), f"the bank file matched {paid} lines"
results = {"import_s": round(statistics.median(imports), 3), "import_max_s": round(max(imports), 3),
           "bank_s": round(statistics.median(banks), 3)}
started = time.perf_counter()
night = rules_run(day=dt.date(2026, 12, 1), now=dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.timezone.utc))
results["night_s"] = round(time.perf_counter() - started, 2)
wage = [r for r in night if r.rule.startswith("W")]
results["wage_rules_s"] = round(sum(r.duration_ms for r in wage) / 1000, 2)
results["wage_findings"] = {r.rule: r.findings for r in wage}
assert all(results["wage_findings"][code] > 0 for code in ("W1", "W2", "W3", "W4", "W5", "W6", "W7")), results
def overview(user):
    c = Client()
    c.force_login(user)
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = c.get("/arrears/", secure=True)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200 and "欠薪" in answer.content.decode(), answer.status_code
    return statistics.median(seconds), max(seconds)
district = []
for region in Region.objects.filter(level="district").order_by("code"):
    user, _ = User.objects.get_or_create(username=f"bench-{region.code}", role=Role.DISTRICT, district=region)
    district.append(overview(user))
city_median, city_max = overview(User.objects.get(username="bench-city"))
results.update(arrears_district_ms=round(1000 * statistics.median(m for m, _ in district)),
               arrears_district_max_ms=round(1000 * max(x for _, x in district)),
               arrears_ms=round(1000 * city_median), arrears_max_ms=round(1000 * city_max))
print(json.dumps(results))
"""


def main() -> None:
    print("building the city …", flush=True)
    built = city.build(1)
    print(f"  {built}", flush=True)
    numbers = ROOT / "var" / "bench-wages-numbers.txt"
    numbers.parent.mkdir(exist_ok=True)
    staff = city.django(SETUP, str(IMPORT_LINES), str(numbers))
    wages = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", city.DB, "-v", "ON_ERROR_STOP=1", "-v", f"user={staff}"]
        + [f"-v{name}={every}" for name, every in PLANTED.items()]
        + ["-qtA"],
        input=WAGES_SQL,
        capture_output=True,
        text=True,
    )
    if wages.returncode:
        sys.exit(wages.stderr)
    print(f"  wages: {wages.stdout.strip()}", flush=True)
    # Production settings serve hashed static files (whitenoise's manifest), as a deployment would.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic_if_changed"], cwd=ROOT, env=city.environment(), check=True
    )
    figures = json.loads(city.django(TIME, str(REPEAT), str(numbers)))
    print(f"  {figures}", flush=True)
    numbers.unlink()
    figures.pop("wage_findings")
    city.drop_unless_kept()  # its 3 GB city
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
