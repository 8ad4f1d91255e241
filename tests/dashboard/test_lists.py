"""Lists as the platforms do them (issue 25): every list is the same component (reports.dashboard.lists):
序号, "共N条" with pages and a page size, sortable columns, the cascading 省/市/区 filter of the account's
jurisdiction, and 导出Excel of exactly the filtered rows, audit-logged, ID numbers masked.

The attempts: a district asking a list for another district's rows by code, a bad page size or sort,
a page number past the end, an export with a filter that makes no sense, and a firm reading measures
addressed to another firm."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from inspections.models import Case, Inspection, Measure
from inspections.selectors.enforcement import overdue_q
from projects.models import Engagement
from smz_platform.common.models import AuditAction, AuditEvent
from tests.dashboard.pages import signed_in, text
from tests.factories import ProjectFactory, engage, person

pytestmark = pytest.mark.django_db

LISTS = ("/projects/", "/cases/", "/measures/", "/devices/", "/inspections/")


def count(page: str) -> int:
    return int(re.search(r'<p class="count" data-count="(\d+)"', page).group(1))


def numbers(page: str) -> list[int]:
    """The 序号 column as shown."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(n) for n in re.findall(r'<tr><td class="num">(\d+)</td>', body)]


def column(page: str, index: int) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[index]).strip() for row in rows]


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [row for row in rows[2:] if row[0] is not None]  # the title, the header, then the rows


@pytest.fixture
def many_projects(city):
    """25 more projects in Haishu, 3 in Jiangbei: more than one page of 20."""
    for n in range(25):
        ProjectFactory(permit_no=f"3302032026100{n:05d}", name=f"海曙测试项目{n:02d}", district=city.haishu)
    for n in range(3):
        ProjectFactory(permit_no=f"3302052026100{n:05d}", name=f"江北测试项目{n:02d}", district=city.jiangbei)


def test_every_list_numbers_its_rows_counts_them_and_pages_them_as_asked(city, many_projects):
    client = signed_in(city, "city")
    first = client.get("/projects/", secure=True).content.decode()
    assert count(first) == 30 and numbers(first) == list(range(1, 21))  # 20 a page unless asked
    assert "共30条" in text_of(first) and "第 1 页，共 2 页" in text_of(first)
    second = client.get("/projects/?page=2", secure=True).content.decode()
    assert numbers(second) == list(range(21, 31))
    fifty = client.get("/projects/?size=50", secure=True).content.decode()
    assert numbers(fifty) == list(range(1, 31))
    # A size the list does not offer, or a page past the end: the default size, the last page; never an error.
    odd = client.get("/projects/?size=100000&page=999", secure=True)
    assert odd.status_code == 200 and numbers(odd.content.decode()) == list(range(21, 31))
    for url in LISTS:
        page = client.get(url, secure=True)
        assert page.status_code == 200, url
        assert 'class="export"' in page.content.decode() or count(page.content.decode()) == 0, url


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_column_sorts_both_ways_and_an_unknown_sort_is_ignored(city, many_projects):
    client = signed_in(city, "city")
    up = column(client.get("/projects/?o=name&size=100", secure=True).content.decode(), 2)
    down = column(client.get("/projects/?o=-name&size=100", secure=True).content.decode(), 2)
    assert up == sorted(up) and down == list(reversed(up)) and len(up) == 30
    page = client.get("/projects/?o=password", secure=True)
    assert page.status_code == 200 and count(page.content.decode()) == 30
    assert "▲" in client.get("/projects/?o=name", secure=True).content.decode()


def test_the_region_filter_offers_the_accounts_districts_and_refuses_another(city, many_projects):
    city_page = signed_in(city, "city").get("/projects/", secure=True).content.decode()
    options = re.findall(r'<option value="(\d+)" data-parent="(\d+)"', city_page)
    assert {code for code, _parent in options} == {city.haishu.code, city.jiangbei.code}
    assert {parent for _code, parent in options} == {city.city.code}  # the cascade: each district's city
    assert (
        count(signed_in(city, "city").get(f"/projects/?district={city.jiangbei.code}", secure=True).content.decode())
        == 4
    )

    haishu = signed_in(city, "haishu")
    own = haishu.get("/projects/", secure=True).content.decode()
    assert 'name="district"' in own and f'data-parent="{city.city.code}"' not in own  # no select of one
    assert count(own) == 26
    # Jiangbei's code asked of Haishu's list: refused beside the field, no row (not Jiangbei's rows).
    other = haishu.get(f"/projects/?district={city.jiangbei.code}", secure=True)
    assert other.status_code == 400 and count(other.content.decode()) == 0
    assert "江北" not in text(other).split("共0条")[-1]
    assert haishu.get(f"/projects/?district={city.jiangbei.code}&export=xlsx", secure=True).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_export_holds_exactly_the_filtered_rows_and_is_audited(city, many_projects):
    client = signed_in(city, "haishu")
    answer = client.get("/projects/?q=测试项目0&o=name&export=xlsx", secure=True)
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(answer.content)
    assert [row[2] for row in rows] == [f"海曙测试项目{n:02d}" for n in range(10)]
    assert [row[0] for row in rows] == list(range(1, 11))
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert "共10条" in sheet["A1"].value and "年" in sheet["A1"].value
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.username == "haishu" and event.record_count == 10 and "项目" in event.what


def test_the_roster_lists_and_exports_masked_numbers_only(city):
    number = "330203199001011236"
    engage(city.project, city.subcontractor, person(number, name="李木工"), team="木工一班")
    engage(city.project, city.subcontractor, person(name="张离场"), exited_on=dt.date(2026, 10, 1))
    client = signed_in(city, "contractor")
    page = client.get(f"/projects/{city.project.permit_no}/people/", secure=True)
    assert page.status_code == 200 and "李木工" in text(page) and "张离场" not in text(page)
    assert number not in page.content.decode() and "330203********1236" in page.content.decode()
    assert "张离场" in text(client.get(f"/projects/{city.project.permit_no}/people/?exited=true", secure=True))
    exported = client.get(f"/projects/{city.project.permit_no}/people/?export=xlsx", secure=True)
    cells = [str(c) for row in workbook_rows(exported.content) for c in row]
    assert "330203********1236" in cells and number not in "".join(cells)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, username="contractor").count() == 1
    # Another city's firm reads no roster of this project; another district's staff neither.
    assert (
        signed_in(city, "other_contractor").get(f"/projects/{city.project.permit_no}/people/", secure=True).status_code
        == 404
    )
    assert (
        signed_in(city, "jiangbei").get(f"/projects/{city.project.permit_no}/people/", secure=True).status_code == 404
    )


def _measure(case, enterprise, **fields) -> Measure:
    defaults = {
        "kind": "rectification",
        "state": "issued",
        "issuing_body": "海曙区住建局",
        "issued_on": dt.date(2026, 11, 1),
        "deadline": dt.date(2026, 11, 10),
        "created_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    }
    defaults.update(fields)
    return Measure.objects.create(case=case, target_enterprise=enterprise, **defaults)


def test_the_measures_list_shows_each_account_its_own_and_the_overdue_filter_is_the_todos(city):
    opened = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    case = Case.objects.create(project=city.project, title="考勤不实", opened_at=opened, opened_by=city.users["haishu"])
    other_case = Case.objects.create(
        project=city.other_project, title="江北案件", opened_at=opened, opened_by=city.users["jiangbei"]
    )
    late = _measure(case, city.contractor, document_no="甬海建整〔2026〕1号")
    _measure(case, city.contractor, deadline=dt.date(2099, 1, 1), document_no="甬海建整〔2026〕2号")
    _measure(other_case, city.other_contractor, document_no="甬江建整〔2026〕9号")
    haishu = signed_in(city, "haishu")
    assert count(haishu.get("/measures/", secure=True).content.decode()) == 2
    overdue = haishu.get("/measures/?overdue=true", secure=True).content.decode()
    assert count(overdue) == 1 and "甬海建整〔2026〕1号" in overdue
    assert Measure.objects.filter(overdue_q(dt.date.today()), case=case).get() == late
    contractor = signed_in(city, "contractor").get("/measures/", secure=True).content.decode()
    assert count(contractor) == 2 and "甬江建整" not in contractor
    other = signed_in(city, "other_contractor").get("/measures/", secure=True).content.decode()
    assert count(other) == 1 and "甬江建整〔2026〕9号" in other
    assert count(signed_in(city, "city").get("/measures/", secure=True).content.decode()) == 3
    # A reversed 下达日期 range: answered beside the field, nothing listed.
    bad = haishu.get("/measures/?since=2026-11-20&until=2026-11-01", secure=True)
    assert bad.status_code == 400 and count(bad.content.decode()) == 0 and "结束日期早于开始日期" in text(bad)


def test_the_inspections_and_devices_lists_read_through_the_scope(city, gate):
    Inspection.objects.create(
        project=city.project,
        kind="district",
        day=dt.date(2026, 11, 20),
        inspectors="王检查",
        headcount=12,
        recorded_by=city.users["haishu"],
    )
    haishu = signed_in(city, "haishu")
    page = haishu.get("/inspections/", secure=True).content.decode()
    assert count(page) == 1 and "王检查" in page and "2026年11月20日" in page
    assert count(signed_in(city, "jiangbei").get("/inspections/", secure=True).content.decode()) == 0
    devices = haishu.get("/devices/", secure=True).content.decode()
    assert count(devices) == 1 and gate.serial in devices
    assert (
        count(haishu.get("/devices/?online=true", secure=True).content.decode())
        + count(haishu.get("/devices/?online=false", secure=True).content.decode())
        == 1
    )
    assert count(signed_in(city, "vendor").get("/devices/", secure=True).content.decode()) == 1
    assert count(signed_in(city, "other_contractor").get("/devices/", secure=True).content.decode()) == 0


def test_the_alert_list_has_the_same_parts(city, site):
    client = signed_in(city, "city")
    page = client.get("/alerts/?group=0&size=50", secure=True).content.decode()
    assert numbers_triage(page)[:3] == [1, 2, 3]
    assert 'class="export"' in page and f'data-parent="{city.city.code}"' in page
    bad = client.get("/alerts/?group=0&district=999999", secure=True)
    assert bad.status_code == 400 and count(bad.content.decode()) == 0


def numbers_triage(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', page)]


def test_a_roster_left_without_engagements_says_so(city):
    assert not Engagement.objects.filter(project=city.project).exists()
    page = signed_in(city, "haishu").get(f"/projects/{city.project.permit_no}/people/", secure=True)
    assert page.status_code == 200 and "没有人员" in text(page) and 'class="export"' not in page.content.decode()
