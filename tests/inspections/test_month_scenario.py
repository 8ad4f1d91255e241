"""A whole month through the device API: punches and heartbeats each day, the rules each night, then
the exact alerts per project with their periods, and a second run over the month adds none."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from devices.services import device_register, devices_sweep_offline
from inspections.models import Alert
from tests.device_client import SignedDevice
from tests.factories import EnterpriseFactory, engage, id_number, participate, person

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=SH)


def test_october_on_two_sites(city, client):
    # Haishu: a project manager, a chief supervisor and four workers; the manager is away from 12 to
    # 22 October; the site's gate goes silent from the 25th (the device too) to the end of the month.
    # Jiangbei: one gate, a project manager and two workers who attend every day; no chief supervisor.
    city.other_project.required_positions = ["project_manager"]
    city.other_project.save()
    for project in (city.project, city.other_project):
        project.actual_start = D(2026, 9, 1)
        project.save()
    haishu_gate = device_register(
        user=city.users["city"],
        project=city.project,
        serial="HS-1",
        vendor=city.vendor,
        model="m",
        kind="gate",
        connection="direct",
        location="entrance",
    ).secret
    jb_vendor = EnterpriseFactory(name="江北设备", is_contractor=False, is_vendor=True)
    participate(city.other_project, jb_vendor, "vendor")
    jiangbei_gate = device_register(
        user=city.users["city"],
        project=city.other_project,
        serial="JB-1",
        vendor=jb_vendor,
        model="m",
        kind="gate",
        connection="direct",
        location="entrance",
    ).secret
    gates = {"HS": SignedDevice(client, "HS-1", haishu_gate), "JB": SignedDevice(client, "JB-1", jiangbei_gate)}
    staff = {"HS": [], "JB": []}
    for n, (site, project, employer, category, position) in enumerate(
        [
            ("HS", city.project, city.contractor, "manager", "project_manager"),
            ("HS", city.project, city.supervisor, "manager", "chief_supervisor"),
            *[("HS", city.project, city.subcontractor, "worker", "")] * 4,
            ("JB", city.other_project, city.other_contractor, "manager", "project_manager"),
            *[("JB", city.other_project, city.other_contractor, "worker", "")] * 2,
        ]
    ):
        number = id_number("341221", f"19800{(n % 9) + 1}01", 100 + n)
        engage(
            project,
            employer,
            who=person(number, f"人员{n}"),
            category=category,
            position=position,
            entered_on=D(2026, 9, 1),
        )
        staff[site].append((number, position))

    for day in range(1, 32):
        for site, gate in gates.items():
            if site == "HS" and day >= 25:
                continue  # the Haishu gate is silent from the 25th
            with time_machine.travel(at(day, 6), tick=False):
                gate.heartbeat()
            punches = []
            for number, position in staff[site]:
                if site == "HS" and position == "project_manager" and 12 <= day <= 22:
                    continue
                punches.append(
                    {
                        "record_id": f"{number[-6:]}-{day}",
                        "id_number": number,
                        "punched_at": at(day, 7, 30).isoformat(),
                        "direction": "in",
                        "method": "face",
                        "liveness": True,
                        "match_score": 0.95,
                    }
                )
            with time_machine.travel(at(day, 8), tick=False):
                assert gate.punches(punches).json()["accepted"] == len(punches)
        with time_machine.travel(at(day, 23, 59) + dt.timedelta(hours=1, minutes=31), tick=False):
            devices_sweep_offline(now=at(day, 23, 59) + dt.timedelta(hours=1))
            call_command("run_rules", stdout=io.StringIO())  # yesterday: the day just ended

    found = sorted(
        (a.rule, a.project.permit_no[:6], a.subject, a.state, a.period_start.day, a.period_end.day)
        for a in Alert.objects.select_related("project")
    )
    by_key = {(a.rule, a.project_id, a.subject): a for a in Alert.objects.all()}
    assert set(by_key) == {
        ("R03", city.project.pk, "HS-1"),
        ("R12", city.project.pk, f"{city.project.name}（务工人员无考勤）"),
        ("R12", city.project.pk, f"{city.project.name}（管理人员无考勤）"),
        ("R11", city.project.pk, "人员0（项目经理）"),
        ("R11", city.project.pk, "人员1（总监理工程师）"),
        ("R16", city.project.pk, city.project.name),
        # No worker of either site has a labour contract on record, 30 days after entry (W7): the wage
        # rules judge the same night.
        *(("W7", city.project.pk, f"人员{n}") for n in (2, 3, 4, 5)),
        *(("W7", city.other_project.pk, f"人员{n}") for n in (7, 8)),
    }, found
    r03 = by_key[("R03", city.project.pk, "HS-1")]
    assert (r03.period_start, r03.period_end, r03.state) == (D(2026, 10, 25), D(2026, 10, 31), "open")
    for who in ("务工人员无考勤", "管理人员无考勤"):
        streak = by_key[("R12", city.project.pk, f"{city.project.name}（{who}）")]
        assert (streak.period_start, streak.period_end) == (D(2026, 10, 25), D(2026, 10, 31))
    manager = by_key[("R11", city.project.pk, "人员0（项目经理）")]
    assert (manager.evidence["attended_days"], manager.evidence["construction_days"]) == (13, 31)
    supervisor = by_key[("R11", city.project.pk, "人员1（总监理工程师）")]
    assert (supervisor.evidence["attended_days"], supervisor.evidence["ratio"]) == (24, 0.774)
    assert by_key[("R16", city.project.pk, city.project.name)].evidence["rate"] == 0.774

    before = list(Alert.objects.order_by("id").values_list("id", "state", "period_start", "period_end"))
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=SH), tick=False):
        call_command("run_rules", "--from", "2026-10-01", "--to", "2026-10-31", stdout=io.StringIO())
    assert list(Alert.objects.order_by("id").values_list("id", "state", "period_start", "period_end")) == before
