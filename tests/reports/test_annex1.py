"""Annex 1 of 甬建函〔2023〕82号: header, the nine labels as in the notice, every number of a hand-computed
scenario, the district sheets summing to the total, the detail sheet, equality with the APIs, and
jurisdiction."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from reports.models import ReportJob
from smz_platform.common.models import AuditEvent
from tests.reports import scenario

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]
SEED_LABELS = [
    "在建项目数",
    "应考勤未考勤项目数",
    "实名制数据虚假项目数",
    "擅自改造考勤设备项目数",
    "责令停工整改项目数",
    "信用惩戒项目数",
    "通报批评项目数",
    "重点监管项目数",
    "被列入“黑名单”的第三方服务商数",
]
PERIOD = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def on_nov_25():
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        yield


@pytest.fixture
def built(city):
    city.users["haishu"].phone = "0574-87180001"
    city.users["haishu"].first_name = "明"
    city.users["haishu"].last_name = "李"
    city.users["haishu"].save()
    return scenario.build(city)


def _open(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


def _table(ws) -> dict[int, tuple[str, int, str]]:
    """序号 → (基本情况, 数量, 备注), read below the header row."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[:4] == ("序号", "基本情况", "数量", "备注"))
    return {row[0]: (row[1], row[2], row[3]) for row in rows[start + 1 : start + 10]}


def test_the_district_workbook_is_laid_out_as_the_notice(city, built):
    wb = _open(city.client("haishu").get(f"/reports/annex1.xlsx?district=330203&{PERIOD}"))
    ws = wb["海曙区"]
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "实名制管理专项整治行动查处情况统计表"
    assert ws["A3"].value == "填报单位：海曙区住房和城乡建设局"
    assert re.fullmatch(r"填报人：李明\s+联系方式：0574-87180001\s+填报日期：2026年11月25日", ws["A4"].value)
    assert ws["A5"].value == "统计期间：2026年11月1日至2026年11月30日"
    table = _table(ws)
    assert [table[n][0] for n in range(1, 10)] == SEED_LABELS
    assert tuple(table[n][1] for n in range(1, 10)) == scenario.HAISHU
    assert all(isinstance(table[n][1], int) for n in range(1, 10))
    assert "R01" in table[2][2] and "排除" in table[2][2]  # the 备注 says where the number comes from
    # Print-ready: A4 portrait, header rows frozen and repeated, generation time in the footer.
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "portrait")
    assert ws.freeze_panes == "A7" and ws.print_title_rows == "$1:$6"
    assert ws.oddFooter.left.text.startswith("生成时间：2026年11月25日 10:00")
    assert ws["B6"].font.b and ws["B7"].alignment.wrap_text and not ws["B7"].font.b
    assert ws.column_dimensions["B"].width >= 30


def test_the_detail_sheet_lists_exactly_the_counted_projects(city, built):
    wb = _open(city.client("haishu").get(f"/reports/annex1.xlsx?{PERIOD}"))
    rows = list(wb["查处项目明细"].iter_rows(min_row=3, values_only=True))
    listed = {row[3]: row for row in rows}
    assert set(listed) == {built[p].permit_no for p in ("p1", "p3", "p4")}
    p1 = listed[built["p1"].permit_no]
    assert p1[4] == "1、2、3、5、6、7"
    assert "R01" in p1[5] and "R07" in p1[5]
    assert "责令停工整改" in p1[6] and "通报批评" in p1[6]
    assert "R06" not in listed[built["p3"].permit_no][5]  # dismissed by staff: not a finding
    vendors = list(wb["黑名单服务商明细"].iter_rows(min_row=3, values_only=True))
    assert [(v[1], v[2]) for v in vendors] == [("海曙区", city.vendor.name)]  # blacklisted twice, listed once


def test_the_city_workbook_has_a_sheet_per_district_and_the_total(city, built):
    wb = _open(city.client("city").get(f"/reports/annex1.xlsx?{PERIOD}"))
    assert wb.sheetnames == ["海曙区", "江北区", "全市合计", "查处项目明细", "黑名单服务商明细"]
    tables = {name: _table(wb[name]) for name in ("海曙区", "江北区", "全市合计")}
    counts = {name: tuple(t[n][1] for n in range(1, 10)) for name, t in tables.items()}
    assert counts == {"海曙区": scenario.HAISHU, "江北区": scenario.JIANGBEI, "全市合计": scenario.TOTAL}
    # Rows 1–8 add up the districts; row 9 counts each vendor once in the city (甬建函〔2023〕82号 附件1: 服务商数).
    assert all(counts["海曙区"][n] + counts["江北区"][n] == counts["全市合计"][n] for n in range(8))
    assert counts["全市合计"][8] == 1 < counts["海曙区"][8] + counts["江北区"][8]
    assert wb["全市合计"]["A3"].value == "填报单位：宁波市住房和城乡建设局"
    assert "全市去重计数（各区县数之和为2家）" in tables["全市合计"][9][2]
    listed = {row[3] for row in wb["查处项目明细"].iter_rows(min_row=3, values_only=True)}
    assert listed == {built[p].permit_no for p in ("p1", "p2", "p3", "p4")}


def test_the_numbers_equal_what_the_alerts_and_cases_apis_give(city, built):
    client = city.client("haishu")
    wb = _open(client.get(f"/reports/annex1.xlsx?{PERIOD}"))
    counts = [row[1] for row in _table(wb["海曙区"]).values()]
    alerts = client.get("/api/v1/alerts/?district=330203&since=2026-11-01&until=2026-11-30&page_size=1000").json()
    found = {(a["project"], a["rule"]) for a in alerts["results"] if a["state"] != "dismissed"}
    inspections = client.get("/api/v1/inspections/?district=330203&since=2026-11-01&until=2026-11-30").json()
    found |= {(i["project"], f["category"]) for i in inspections["results"] for f in i["findings"]}
    for row, rules in {2: {"R01", "R03", "R11", "R12"}, 3: {"R07", "R09", "R13"}, 4: {"R02", "R06", "R08"}}.items():
        assert counts[row - 1] == len({project for project, rule in found if rule in rules}), row
    measures = client.get("/api/v1/measures/?district=330203&since=2026-11-01&until=2026-11-30").json()["results"]
    standing = [m for m in measures if m["state"] not in ("proposed", "withdrawn")]
    for row, kind in {5: "stop_work", 6: "credit", 7: "circular", 8: "key_supervision"}.items():
        assert counts[row - 1] == len({m["project"] for m in standing if m["kind"] == kind}), row
    assert counts[8] == len({m["target_enterprise"] for m in standing if m["kind"] == "vendor_blacklist"})


def test_a_district_user_gets_only_its_district(city, built):
    jiangbei = city.client("jiangbei")
    refused = jiangbei.get(f"/reports/annex1.xlsx?district=330203&{PERIOD}")
    assert refused.status_code == 403
    own = _open(jiangbei.get(f"/reports/annex1.xlsx?{PERIOD}"))  # no district: its own
    assert own.sheetnames[0] == "江北区" and "全市合计" not in own.sheetnames
    assert city.client("contractor").get(f"/reports/annex1.xlsx?{PERIOD}").status_code == 403
    assert city.client("vendor").get(f"/reports/annex1.xlsx?{PERIOD}").status_code == 403


def test_each_download_is_audit_logged(city, built):
    city.client("haishu").get(f"/reports/annex1.xlsx?{PERIOD}")
    event = AuditEvent.objects.get(action="export")
    assert (event.username, event.what) == ("haishu", "下载附件1（海曙区，2026年11月1日至2026年11月30日）")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-01", "from"),
        ("from=2026-11-31&to=2026-12-01", "from"),
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=1990-01-01&to=2026-11-01", "from"),
        ("district=999999&" + PERIOD, "district"),
        ("campaign=abc", "campaign"),
        ("campaign=9999", "campaign"),
    ],
)
def test_bad_parameters_get_a_clear_400(city, query, field):
    response = city.client("city").get(f"/reports/annex1.xlsx?{query}")
    assert response.status_code == 400
    assert field in response.json()
    assert not AuditEvent.objects.exists()


def test_a_campaigns_period_and_districts(city, built):
    from inspections.models import Campaign

    campaign = Campaign.objects.create(
        name="专项整治", starts_on="2026-11-01", ends_on="2026-11-30", created_by=city.users["city"]
    )
    campaign.districts.set([city.haishu])
    wb = _open(city.client("city").get(f"/reports/annex1.xlsx?campaign={campaign.pk}"))
    assert wb.sheetnames[:2] == ["海曙区", "全市合计"]
    assert tuple(row[1] for row in _table(wb["全市合计"]).values()) == scenario.HAISHU


def test_a_long_city_period_is_generated_in_the_background(city, built):
    client = city.client("city")
    started = client.get("/reports/annex1.xlsx?from=2026-01-01&to=2026-11-30")
    assert started.status_code == 202
    status = client.get(started.json()["status_url"]).json()
    assert status["state"] == "done"  # the test settings run Celery tasks eagerly
    assert city.client("haishu").get(started.json()["status_url"]).status_code == 404  # someone else's job
    wb = _open(client.get(status["download_url"]))
    # January to November: P5, completed in October, was under construction during the period too.
    assert tuple(row[1] for row in _table(wb["全市合计"]).values())[0] == scenario.TOTAL[0] + 1
    assert ReportJob.objects.get().filename.startswith("附件1_")
    assert AuditEvent.objects.filter(action="export", username="city").count() == 1
