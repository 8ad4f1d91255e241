"""The embedded default (SQLite, no Redis) takes punches too, by its portable statements, and counts a worker's
valid days for his wages by the same statement the wage rules use on PostgreSQL; the night's `AnyOf` lookup is an
IN list there."""

from __future__ import annotations

from tests.platform.helpers import SECRETS, run_python

SCRIPT = r"""
import django, json, time, datetime as dt
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from attendance.models import DailyPresence, Punch
from devices.services import device_register
from devices.signing import sign
from projects.models import Engagement, Enterprise, Project, ProjectParticipant, Region, User
from tests.factories import credit_code, id_number, person

city = Region.objects.create(code="330200", name="宁波市", level="city")
district = Region.objects.create(code="330203", name="海曙区", level="district", parent=city)
contractor = Enterprise.objects.create(uscc=credit_code(1), name="总包", is_contractor=True)
vendor = Enterprise.objects.create(uscc=credit_code(2), name="设备商", is_vendor=True)
project = Project.objects.create(permit_no="P1", name="工程", district=district, kind="building",
                                 planned_start="2026-09-01", actual_start="2026-09-01", status="active")
ProjectParticipant.objects.create(project=project, enterprise=contractor, role="contractor")
user = User.objects.create(username="u", role="city")
number = id_number("330203", "19900101", 123)
Engagement.objects.create(person=person(number), project=project, employer=contractor, category="worker",
                          entered_on="2026-09-01")
secret = device_register(user=user, project=project, serial="G1", vendor=vendor, model="m", kind="gate",
                         connection="direct", location="entrance").secret
now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
punches = [{"record_id": f"R{n}", "id_number": number, "punched_at": (now - dt.timedelta(hours=n)).isoformat(),
            "direction": "in", "method": "face", "liveness": True} for n in range(3)]
def push():
    body = json.dumps({"punches": punches}).encode()
    ts, nonce = str(int(time.time())), f"nonce-{time.time_ns()}"
    headers = {"X-Device-SN": "G1", "X-Timestamp": ts, "X-Nonce": nonce,
               "X-Signature": sign(secret.encode(), "POST", "/api/device/v1/punches", ts, nonce, body)}
    return Client().post("/api/device/v1/punches", body, content_type="application/json", headers=headers).json()
first, again = push(), push()
from wages.selectors import worker_months
from django.db.models import F
from smz_platform.common.lookups import AnyOf
punch_ids = list(Punch.objects.values_list("pk", flat=True))
any_of = [Punch.objects.filter(AnyOf(F("pk"), punch_ids[:2] + [0])).count(),
          Punch.objects.exclude(AnyOf(F("pk"), punch_ids[:1])).count(),
          Punch.objects.filter(AnyOf(F("pk"), [])).count(), Punch.objects.exclude(AnyOf(F("pk"), [])).count()]
found = worker_months(project_ids=[project.pk], months=[d.day for d in DailyPresence.objects.all()])
print(json.dumps([first["accepted"], again["duplicates"], Punch.objects.count(),
                  sum(p.punch_count for p in DailyPresence.objects.all()),
                  sum(w.days for w in found.values()) == DailyPresence.objects.filter(valid_count__gte=1).count(),
                  sorted({w.month.day for w in found.values()}),
                  all(w.employer_id == contractor.pk for w in found.values()), any_of]))
"""


def test_the_embedded_sqlite_default_stores_punches_and_presence(tmp_path):
    result = run_python(
        SCRIPT,
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        SMZ_MEDIA_ROOT=str(tmp_path / "media"),
        **SECRETS,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[3, 3, 3, 3, true, [1], true, [2, 2, 0, 3]]"
