"""The province above its cities: the provincial regulator reads every city and writes nothing, a city's
regulator only its own city; the province's Annex 1 and circular are a sheet per city and the total,
summing the cities' own workbooks; the province overview ranks the cities; a province's policy governs
its cities' projects unless a city or a district has its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from inspections.models import Alert, Policy
from inspections.selectors import policies_in_force, policy_for
from projects.choices import Role
from projects.models import Project
from projects.services.accounts import account_create
from tests.factories import province_of
from tests.reports import scenario
from tests.reports.scenario import _alert
from tests.reports.test_annex1 import PERIOD, _open, on_nov_25  # noqa: F401 (the fixture, by name)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_nov_25")]


@pytest.fixture
def province(city):
    """Ningbo's Annex 1 scenario, and in Hangzhou one project that never attended (R01, row 2)."""
    built = scenario.build(city)
    zhejiang, hangzhou, project = province_of(city)
    _alert(project, "R01", dt.date(2026, 11, 3), dt.date(2026, 11, 20))
    return {"built": built, "zhejiang": zhejiang, "hangzhou": hangzhou, "project": project}


def _counts(ws) -> tuple[int, ...]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[:4] == ("序号", "基本情况", "数量", "备注"))
    return tuple(row[2] for row in rows[start + 1 : start + 10])


def test_the_province_reads_every_city_and_a_city_only_its_own(city, province):
    listed = {
        who: {p["permit_no"] for p in city.client(who).get("/api/v1/projects/?page_size=100").json()["results"]}
        for who in ("province", "city", "hangzhou")
    }
    ningbo = set(Project.objects.filter(district__parent=city.city).values_list("permit_no", flat=True))
    assert listed["hangzhou"] == {province["project"].permit_no}
    assert listed["city"] == ningbo
    assert listed["province"] == ningbo | {province["project"].permit_no}
    # Another city's project, district page and alerts are not there for Hangzhou's regulator.
    hangzhou = city.client("hangzhou")
    assert hangzhou.get(f"/api/v1/projects/{city.project.permit_no}/").status_code == 404
    assert all(
        a["project"] == province["project"].permit_no
        for a in hangzhou.get("/api/v1/alerts/?page_size=100").json()["results"]
    )
    # The province reads, it does not act: acknowledging an alert is its cities' regulators' business.
    alert = Alert.objects.filter(state="open").first()
    answer = city.client("province").post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert answer.status_code == 403, answer.content
    alert.refresh_from_db()
    assert alert.state == "open"


def test_the_province_annex1_is_a_sheet_per_city_and_the_total_of_its_cities(city, province):
    wb = _open(city.client("province").get(f"/reports/annex1.xlsx?{PERIOD}"))
    assert wb.sheetnames == ["杭州市", "宁波市", "全省合计", "查处项目明细", "黑名单服务商明细"]
    counts = {name: _counts(wb[name]) for name in ("杭州市", "宁波市", "全省合计")}
    # Each city's sheet is its own workbook's total, as the city's regulators download it.
    ningbo = _open(city.client("city").get(f"/reports/annex1.xlsx?{PERIOD}"))
    assert counts["宁波市"] == _counts(ningbo["全市合计"]) == scenario.TOTAL
    hangzhou = _open(city.client("hangzhou").get(f"/reports/annex1.xlsx?{PERIOD}"))
    assert counts["杭州市"] == _counts(hangzhou["全市合计"]) == (1, 1, 0, 0, 0, 0, 0, 0, 0)
    assert all(counts["宁波市"][n] + counts["杭州市"][n] == counts["全省合计"][n] for n in range(8))
    assert counts["全省合计"][:2] == (scenario.TOTAL[0] + 1, scenario.TOTAL[1] + 1)
    assert wb["全省合计"]["A3"].value == "填报单位：浙江省住房和城乡建设厅"
    listed = {row[3] for row in wb["查处项目明细"].iter_rows(min_row=3, values_only=True)}
    assert province["project"].permit_no in listed and city.project.permit_no in listed
    # One city named by the province: that city's workbook; another province's city: refused.
    one = _open(city.client("province").get(f"/reports/annex1.xlsx?city=330100&{PERIOD}"))
    assert _counts(one["全市合计"]) == counts["杭州市"]
    assert city.client("hangzhou").get(f"/reports/annex1.xlsx?city=330200&{PERIOD}").status_code == 403
    assert city.client("hangzhou").get(f"/reports/annex1.xlsx?district=330203&{PERIOD}").status_code == 403
    assert city.client("province").get(f"/reports/annex1.xlsx?city=999900&{PERIOD}").status_code == 400


def test_the_province_circular_has_a_row_and_a_sheet_per_city(city, province):
    wb = _open(city.client("province").get("/reports/circular.xlsx?month=2026-11"))
    assert wb.sheetnames == ["通报汇总", "杭州市", "宁波市", "通报项目"]
    summary = list(wb["通报汇总"].iter_rows(min_row=5, values_only=True))
    assert [row[1] for row in summary] == ["杭州市", "宁波市"]
    ningbo_rows = list(wb["宁波市"].iter_rows(min_row=5, values_only=True))
    assert [row[1] for row in ningbo_rows] == ["海曙区", "江北区"]
    # The city's row adds up its districts' (projects under construction, findings).
    for column in (2, 5):
        assert summary[1][column] == sum(row[column] for row in ningbo_rows)
    assert summary[0][2] == 1 and summary[0][5] == 1


def test_the_province_overview_ranks_its_cities_and_opens_each(city, province):
    pages = Client()
    pages.force_login(city.users["province"])
    home = pages.get("/").content.decode()
    assert "浙江省" in home and "全省概览" in home and "宁波市" in home and "杭州市" in home
    assert pages.get("/cities/330200/").status_code == 200
    ningbo = Client()
    ningbo.force_login(city.users["city"])
    own = ningbo.get("/").content.decode()
    assert "宁波市" in own and "海曙区" in own and "西湖区" not in own
    assert ningbo.get("/cities/330100/").status_code == 404
    assert ningbo.get("/districts/330106/").status_code == 404
    assert city.client("province").get("/api/v1/me/").json()["role"] == "province"


def test_a_province_policy_governs_its_cities_unless_a_city_or_district_has_its_own(city, province):
    base = Policy.objects.get(district__isnull=True, in_force=True)
    fields = {
        f.name: getattr(base, f.name) for f in Policy._meta.concrete_fields if f.name not in ("id", "district", "name")
    }
    Policy.objects.create(**{**fields, "name": "浙江省口径", "r11_key_ratio": "0.900"}, district=province["zhejiang"])
    Policy.objects.create(**{**fields, "name": "海曙区口径", "r11_key_ratio": "0.500"}, district=city.haishu)
    book = policies_in_force()
    assert book.for_project(province["project"]).name == "浙江省口径"  # Hangzhou: the province's
    assert book.for_project(city.other_project).name == "浙江省口径"  # Jiangbei: the province's
    assert book.for_project(city.project).name == "海曙区口径"  # Haishu: its own
    assert policy_for(project=province["project"]).name == "浙江省口径"
    assert policy_for(project=city.project).name == "海曙区口径"
    Policy.objects.create(**{**fields, "name": "宁波市口径"}, district=city.city)
    book = policies_in_force()
    assert book.for_project(city.other_project).name == "宁波市口径"  # the city's over the province's
    assert book.for_project(province["project"]).name == "浙江省口径"


def test_accounts_of_a_province_name_their_province_and_city_accounts_their_city(city, province):
    with pytest.raises(ValidationError, match="所属省"):
        account_create(username="p2", role=Role.PROVINCE, password="a-long-password-1", region=city.city)
    with pytest.raises(ValidationError, match="所属的市"):
        account_create(username="c2", role=Role.CITY, password="a-long-password-1")  # which city?
    user, _ = account_create(username="c3", role=Role.CITY, password="a-long-password-1", region=province["hangzhou"])
    assert user.region == province["hangzhou"]


def test_a_province_is_registered_through_the_api_and_its_cities_under_it(city):
    client = city.client("city")
    made = client.post("/api/v1/regions/", {"code": "220000", "name": "吉林省"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["level"] == "province"
    under = client.post("/api/v1/regions/", {"code": "220100", "name": "长春市", "parent": "220000"}, format="json")
    assert under.status_code == 201, under.content
    assert under.json()["level"] == "city"


def test_the_province_overview_reads_figures_counted_every_minute_off_the_pages_path(city, province, settings):
    from reports.tasks import refresh_province_overviews_task

    entry = settings.CELERY_BEAT_SCHEDULE["refresh-province-overviews"]
    assert entry["task"] == "reports.tasks.refresh_province_overviews_task" and str(entry["schedule"]) == str(
        __import__("celery.schedules", fromlist=["crontab"]).crontab()
    )
    pages = Client()
    pages.force_login(city.users["province"])
    first = pages.get("/").content.decode()
    assert "数据统计于10:00" in first
    opened = _alert(province["project"], "R03", dt.date(2026, 11, 24), dt.date(2026, 11, 24), n=9)
    # Within the minute the page shows what was counted; the beat's count brings the new alert in.
    assert pages.get("/").content.decode().count('<td class="num">1</td></tr>') == first.count(
        '<td class="num">1</td></tr>'
    )
    assert refresh_province_overviews_task.delay().get() == 1
    after = pages.get("/").content.decode()
    assert '<td class="num">2</td></tr>' in after  # Hangzhou's open alerts: 1 → 2
    assert opened.state == "open"
