"""The demo city crawled as each demo login, in Chinese (issue 15, issue 25).

No page shows developer data: the visible text of every page holds no snake_case key, no True/False/None,
no ISO timestamp and no Python or JSON list (every rule's alert page is among them). And one answer per
figure: every card's number is the row count of the list it links to, every 待办 count the rows of its
group, and every punch reads the same counted / not counted wherever it is shown."""

from __future__ import annotations

import html
import io
import re
from collections import Counter, deque

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from inspections.models import Alert
from projects.models import User

pytestmark = pytest.mark.django_db

CODE = {
    "snake_case key": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "Python value": re.compile(r"\b(?:True|False|None)\b"),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "list": re.compile(r"\[\s*(?:['\"]|\d+\s*,)"),
    "English phrase": re.compile(r"\b[A-Za-z]{3,} [a-z]{3,}\b"),
}
ROLES = ["city", "haishu", "jiangbei", "contractor", "labour", "supervisor", "vendor"]
PER_KIND = 12  # pages of each kind (an alert, a project, a device …) visited per role
SKIP = ("/admin/", "/api/", "/static/", "/logout/", "/language/", ".xlsx", "/reports/jobs/")


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def kind(url: str) -> str:
    return re.sub(r"/[^/?]+/(\?.*)?$", "/*/", url.split("#")[0]) if url.count("/") > 2 else url


def crawl(client: Client, start: list[str]) -> dict[str, str]:
    """The pages reached from `start` (at most PER_KIND of each kind), as their HTML."""
    seen, pages, per_kind = set(start), {}, Counter()
    queue = deque(start)
    while queue:
        url = queue.popleft()
        answer = client.get(url, secure=True)
        if answer.status_code != 200 or "text/html" not in answer.get("Content-Type", ""):
            continue
        page = answer.content.decode()
        pages[url] = page
        for href in re.findall(r'href="(/[^"#]*)"', page):
            href = html.unescape(href)
            if href in seen or any(part in href for part in SKIP):
                continue
            seen.add(href)
            if per_kind[kind(href)] < PER_KIND:
                per_kind[kind(href)] += 1
                queue.append(href)
    return pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo city, seeded once for the module inside a transaction rolled back at its end, and crawled
    as each role: {role: {url: html}}."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--workers-per-project", "3", "--days", "35", stdout=io.StringIO())
        every_rule = [
            f"/alerts/{pk}/"
            for pk in Alert.objects.order_by("rule", "pk").distinct("rule").values_list("pk", flat=True)
        ]
        assert len(every_rule) >= 14
        crawled = {}
        for role in ROLES:
            client = Client()
            client.force_login(User.objects.get(username=role))
            crawled[role] = crawl(
                client,
                ["/", "/todo/", "/projects/", "/alerts/?live=1", "/reports/", *(every_rule if role == "city" else [])],
            )
        from django.utils import timezone

        last = timezone.localdate().replace(day=1) - __import__("datetime").timedelta(days=1)
        yield {**crawled, "month": last.strftime("%Y-%m")}
        transaction.set_rollback(True)


def test_no_page_of_the_demo_city_shows_code_identifiers_to_any_role(demo):
    found, pages = [], 0
    for role in ROLES:
        crawled = demo[role]
        pages += len(crawled)
        for url, page in crawled.items():
            text = visible(page)
            for what, pattern in CODE.items():
                found += [(role, url, what, match) for match in pattern.findall(text)[:3]]
    assert pages > 100
    assert found == [], "\n".join(map(str, found))


CARD = re.compile(
    r'<a class="card[^"]*" href="([^"]+)"><span class="label">([^<]+)</span>'
    r'<span class="value">(\d+)</span>'
)


def _listed(page: str) -> int:
    return int(re.search(r'data-count="(\d+)"', page).group(1))


def test_every_card_counts_the_rows_it_links_to_for_every_role(demo):
    """在建, 停工, 未处理预警 on every overview, each district's 在建 in the city's table, and the 待办 panel."""
    checked = 0
    for role in ROLES:
        crawled = demo[role]
        client = Client()
        client.force_login(User.objects.get(username=role))
        for url, page in crawled.items():
            links = [(html.unescape(link), label, int(n)) for link, label, n in CARD.findall(page)]
            links += [
                (html.unescape(link), "district", int(n))
                for link, n in re.findall(
                    r'<td class="num"><a href="(/projects/\?status=active&amp;district=\d+)">(\d+)</a>', page
                )
            ]
            for link, label, figure in links:
                answer = client.get(link, secure=True)
                assert answer.status_code == 200, (role, url, label, link)
                assert _listed(answer.content.decode()) == figure, (role, url, label, link, figure)
                checked += 1
            for key, count in re.findall(r'href="/todo/#todo-(\w+)">[^<]*<span class="badge" data-count="(\d+)"', page):
                todo = crawled.get("/todo/") or client.get("/todo/", secure=True).content.decode()
                group = re.search(rf'id="todo-{key}">.*?data-count="(\d+)"', todo, flags=re.S)
                assert group and int(group.group(1)) == int(count), (role, url, key)
                checked += 1
    assert checked > 20


def test_every_punch_reads_the_same_verdict_wherever_it_is_shown(demo):
    """A punch listed as not counted on its project's page, and the punches of every alert, read on their
    own page as they read in the list (是 / 否 and the rule)."""
    client = Client()
    client.force_login(User.objects.get(username="city"))
    shown = {}  # punch id -> (where, verdict text)
    for url, page in demo["city"].items():
        for punch_id in re.findall(r'<tr data-punch="(\d+)">', page):
            shown.setdefault(int(punch_id), (url, "否"))
        for punch_id, cell in re.findall(
            r'href="/punches/(\d+)/">[^<]*</a></td>(?:<td>[^<]*</td>)*'
            r'<td class="verdict">(.*?)</td>',
            page,
            flags=re.S,
        ):
            shown.setdefault(int(punch_id), (url, re.sub(r"<[^>]+>", "", cell).strip()[:1]))
    assert len(shown) > 20 and {"是", "否"} <= {verdict for _url, verdict in shown.values()}
    for punch_id, (where, verdict) in shown.items():
        page = client.get(f"/punches/{punch_id}/", secure=True).content.decode()
        own = re.sub(r"<[^>]+>", "", re.search(r'<td class="verdict">(.*?)</td>', page, flags=re.S).group(1))
        assert own.strip()[:1] == verdict, (punch_id, where, verdict, own)


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _cells(content: bytes):
    from openpyxl import load_workbook

    for ws in load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def test_the_workbooks_write_dates_and_names_as_a_regulator_does(demo):
    """Every workbook the reports page offers, as the city and as Haishu: no ISO date in any cell or in the
    footer, date cells shown 2026年11月30日, 填报人 the account's name (never its login), and Annex 2 says
    what happened for every case, however it was opened."""
    from inspections.models import Case
    from projects.models import Project

    month = demo["month"]
    permit = Project.objects.filter(district__code="330203").order_by("permit_no").first().permit_no
    downloads = {
        "city": [
            f"/reports/annex1.xlsx?from={month}-01&to={month}-28",
            f"/reports/circular.xlsx?month={month}",
            f"/reports/manager-presence.xlsx?month={month}",
            *(f"/reports/annex2.xlsx?case={pk}" for pk in Case.objects.values_list("pk", flat=True)),
        ],
        "haishu": [
            f"/reports/annex1.xlsx?district=330203&from={month}-01&to={month}-28",
            f"/reports/ledger.xlsx?project={permit}&from={month}&to={month}",
        ],
    }
    assert len(downloads["city"]) > 5  # the demo's cases, each Annex 2
    found = []
    for role, urls in downloads.items():
        user = User.objects.get(username=role)
        client = Client()
        client.force_login(user)
        for url in urls:
            answer = client.get(url, secure=True)
            assert answer.status_code == 200, (role, url, answer.content[:300])
            for sheet, cell in _cells(answer.content):
                if isinstance(cell.value, str) and ISO_DATE.search(cell.value):
                    found.append((url, sheet, cell.coordinate, cell.value[:80]))
                if getattr(cell, "is_date", False) and "yyyy-mm-dd" in cell.number_format:
                    found.append((url, sheet, cell.coordinate, cell.number_format))
                if isinstance(cell.value, str) and cell.value.startswith("填报人："):
                    assert cell.value.startswith(f"填报人：{user.last_name}") and user.last_name, (url, cell.value)
                if isinstance(cell.value, str) and "负面行为基本情况" in cell.value and "annex2" in url:
                    behaviour = cell.offset(column=1).value  # the facts beside the label
                    assert behaviour and behaviour != "—", (url, "no behaviour described")
    assert found == [], found


# Every admin page a regulator opens (issue 25), but the code table itself: its codes are what it edits.
CODE_TABLE = ("projects/referencecode/",)


def test_no_admin_page_shows_code_identifiers_or_english_to_a_regulator(demo):
    """The admin as the city's and a district's regulators read it: its index, every list and the
    first record of each, in Chinese, without raw codes, True/False or JSON."""
    found, pages = [], 0
    for role in ("city", "haishu"):
        client = Client()
        client.force_login(User.objects.get(username=role))
        index = client.get("/admin/", secure=True).content.decode()
        urls = ["/admin/"]
        for listing in sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', index))):
            if listing.removeprefix("/admin/").startswith(CODE_TABLE):
                continue
            page = client.get(listing, secure=True).content.decode()
            urls += [listing, *re.findall(r'href="(' + re.escape(listing) + r'\d+/change/)"', page)[:1]]
        for url in urls:
            answer = client.get(url, secure=True)
            assert answer.status_code == 200, (role, url)
            pages += 1
            text = visible(answer.content.decode())
            for what, pattern in CODE.items():
                found += [(role, url, what, match) for match in pattern.findall(text)[:3]]
    assert pages > 10
    assert found == [], "\n".join(map(str, sorted(set(found))))
