"""No page of the demo city shows developer data (issue 15): crawled as each demo login, in Chinese,
the visible text of every page holds no snake_case key, no True/False/None, no ISO timestamp and no
Python or JSON list. Every rule's alert page is among them."""

from __future__ import annotations

import html
import io
import re
from collections import Counter, deque

import pytest
from django.core.management import call_command
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
    seen, texts, per_kind = set(start), {}, Counter()
    queue = deque(start)
    while queue:
        url = queue.popleft()
        answer = client.get(url, secure=True)
        if answer.status_code != 200 or "text/html" not in answer.get("Content-Type", ""):
            continue
        page = answer.content.decode()
        texts[url] = visible(page)
        for href in re.findall(r'href="(/[^"#]*)"', page):
            href = html.unescape(href)
            if href in seen or any(part in href for part in SKIP):
                continue
            seen.add(href)
            if per_kind[kind(href)] < PER_KIND:
                per_kind[kind(href)] += 1
                queue.append(href)
    return texts


def test_no_page_of_the_demo_city_shows_code_identifiers_to_any_role():
    call_command("seed_demo", "--workers-per-project", "3", "--days", "35", stdout=io.StringIO())
    every_rule = [f"/alerts/{pk}/" for pk in
                  Alert.objects.order_by("rule", "pk").distinct("rule").values_list("pk", flat=True)]  # fmt: skip
    assert len(every_rule) >= 14
    found, pages = [], 0
    for role in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=role))
        texts = crawl(client, ["/", "/projects/", "/alerts/?state=open", "/reports/",
                               *(every_rule if role == "city" else [])])  # fmt: skip
        pages += len(texts)
        for url, text in texts.items():
            for what, pattern in CODE.items():
                found += [(role, url, what, match) for match in pattern.findall(text)[:3]]
    assert pages > 100
    assert found == [], "\n".join(map(str, found))
