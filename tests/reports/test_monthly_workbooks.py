"""Annex 2, the monthly manager presence report, the monthly circular and the project ledger, opened
with openpyxl and checked against what the scenario put in."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from inspections.services.inspections import inspection_record
from smz_platform.common.models import AuditEvent
from tests.factories import engage, person
from tests.inspections.enforcement.helpers import workers_present
from tests.reports import scenario

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]


@pytest.fixture
def on_nov_25():
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        yield


def _open(response):
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content))


def test_annex2_fills_the_seeds_three_blocks_from_the_case(city):
    built = scenario.build(city)
    ws = _open(city.client("haishu").get(f"/reports/annex2.xlsx?case={built['c1'].pk}")).active
    assert (ws["A1"].value, ws["A2"].value) == ("附件2", "实名制管理负面典型案例基本情况")
    assert ws["A3"].value == "填报单位：海曙区住房和城乡建设局"
    labels = [ws.cell(row=r, column=1).value for r in range(5, 8)]
    assert [label.split("\n")[0] for label in labels] == ["工程基本信息", "实名制管理负面行为基本情况", "惩戒措施"]
    info, behaviour, measures = (ws.cell(row=r, column=2).value for r in range(5, 8))
    assert f"工程名称：{city.project.name}" in info
    assert f"施工总承包单位：{city.contractor.name}" in info and f"监理单位：{city.supervisor.name}" in info
    assert f"建设单位：{city.owner.name}" in info and city.subcontractor.name in info
    assert f"第三方服务商：{city.vendor.name}（2026年11月3日列入黑名单）" in info
    assert "R01 未按规定安装考勤设备" in behaviour and "R07 伪造考勤照片和记录" in behaviour
    assert "2026年11月10日 海曙区住房和城乡建设局 责令停工整改" in measures
    assert "列入“黑名单”" in measures
    assert "重点监管" not in measures  # withdrawn: not a measure taken
    assert ws.page_setup.orientation == "portrait"
    assert AuditEvent.objects.get(action="export").project_permit_no == city.project.permit_no


def test_annex2_of_another_districts_case_is_not_found(city):
    built = scenario.build(city)
    assert city.client("jiangbei").get(f"/reports/annex2.xlsx?case={built['c1'].pk}").status_code == 404
    assert city.client("haishu").get("/reports/annex2.xlsx?case=abc").status_code == 400
    assert city.client("contractor").get(f"/reports/annex2.xlsx?case={built['c1'].pk}").status_code == 403


@pytest.fixture
def managers(city):
    """The project manager attended 10 of October's 31 construction days, the safety officer 25."""
    pm = engage(city.project, city.contractor, person(name="王建国"), category="manager", position="project_manager")
    safety = engage(city.project, city.contractor, person(name="陈安"), category="manager", position="safety_officer")
    from attendance.models import DailyPresence
    from tests.inspections.enforcement.helpers import SHANGHAI

    for engagement, days in ((pm, 10), (safety, 25)):
        for n in range(days):
            day = dt.date(2026, 10, 1) + dt.timedelta(days=n)
            at = dt.datetime.combine(day, dt.time(8), tzinfo=SHANGHAI)
            DailyPresence.objects.create(
                person=engagement.person,
                project=city.project,
                day=day,
                first_at=at,
                last_at=at,
                punch_count=1,
                valid_count=1,
                first_valid_at=at,
                last_valid_at=at,
            )
    return pm, safety


def test_manager_presence_lists_every_manager_with_ratio_and_verdict(city, managers):
    ws = _open(city.client("haishu").get("/reports/manager-presence.xlsx?month=2026-10")).active
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    by_name = {r[4]: r for r in rows}
    assert set(by_name) == {"王建国", "陈安"}
    pm = by_name["王建国"]
    assert pm[1:4] == ("海曙区", city.project.name, city.project.permit_no)
    assert pm[5].count("*") == 8  # masked ID number
    assert (pm[7], pm[8], round(pm[9], 3), pm[10], pm[11]) == (10, 31, 0.323, 0.8, "不达标")
    safety = by_name["陈安"]
    assert (safety[7], safety[10], safety[11]) == (25, 0.7, "达标")
    assert ws.page_setup.orientation == "landscape"
    assert city.client("haishu").get("/reports/manager-presence.xlsx?month=2026-13").status_code == 400
    assert city.client("haishu").get("/reports/manager-presence.xlsx?month=2027-01").status_code == 400
    assert city.client("haishu").get("/reports/manager-presence.xlsx?district=330205").status_code == 403


def test_the_circular_counts_per_district_and_names_the_projects(city):
    built = scenario.build(city)
    inspection_record(
        user=city.users["haishu"],
        project=built["p1"],
        kind="online_patrol",
        day=dt.date(2026, 11, 16),
        inspectors="王芳",
    )
    wb = _open(city.client("city").get("/reports/circular.xlsx?month=2026-11"))
    summary = wb["通报汇总"]
    header = next(r for r in summary.iter_rows(values_only=True) if r[0] == "序号")
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=5, values_only=True) if r[0]}
    haishu = rows["海曙区"]
    assert (haishu["在建项目数"], haishu["检查次数"], haishu["检查项目数"]) == (3, 2, 2)
    # Findings: P1's R01 and R07, P4's R03 (the dismissed R06 and October's R12 do not count), P3's R02.
    assert haishu["发现问题数"] == 4
    assert (haishu["责令停工整改"], haishu["通报批评"], haishu["列入“黑名单”"]) == (1, 1, 2)
    assert rows["江北区"]["列入“黑名单”"] == 1
    named = {r[3]: r for r in wb["通报项目"].iter_rows(min_row=3, values_only=True)}
    assert set(named) == {built[p].permit_no for p in ("p1", "p2", "p3", "p4")}
    assert named[built["p1"].permit_no][4] == city.contractor.name


def test_the_ledger_lists_people_entries_exits_and_days_per_month(city):
    workers_present(city.project, city.contractor, day=dt.date(2026, 11, 2), attended=2, absent=1)
    workers_present(city.project, city.contractor, day=dt.date(2026, 10, 30), attended=1)
    leaver = city.project.engagements.order_by("pk").first()
    leaver.exited_on = dt.date(2026, 11, 20)
    leaver.save()
    response = city.client("contractor").get(
        f"/reports/ledger.xlsx?project={city.project.permit_no}&from=2026-10&to=2026-11"
    )
    wb = _open(response)
    ws = wb["人员台账"]
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "序号")
    assert header[-2:] == ("2026年10月出勤天数", "2026年11月出勤天数")
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(rows) == 4
    assert sorted((r[-2], r[-1]) for r in rows) == [(0, 0), (0, 1), (0, 1), (1, 0)]
    assert all("********" in r[2] for r in rows)
    moves = list(wb["进退场记录"].iter_rows(min_row=3, values_only=True))
    assert [m[2] for m in moves].count("退场") == 1
    event = AuditEvent.objects.get(action="export")
    assert (event.project_permit_no, event.record_count) == (city.project.permit_no, 4)  # R14 reads it
    assert city.client("subcontractor").get(f"/reports/ledger.xlsx?project={city.project.permit_no}").status_code == 403
    assert city.client("jiangbei").get(f"/reports/ledger.xlsx?project={city.project.permit_no}").status_code == 400
    assert (
        city.client("contractor")
        .get(f"/reports/ledger.xlsx?project={city.project.permit_no}&from=2026-11&to=2026-10")
        .status_code
        == 400
    )
