"""The proxy in front (deploy/nginx.conf, the file production reads, as make bench-load runs it) keeps the pages for
anyone that the platform's answer lets it keep, and nothing of anyone's own: a second phone's rights board and the
published draws come from its cache; a form, with each visitor's own token, never does; a signed-in account is
neither answered from it nor written into it; a revoked board stops there within SMZ_PUBLIC_PROXY_SECONDS."""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request

import pytest

from bench.load import proxy_config, proxy_start
from projects.models import Region
from rights.services import board_issue, board_revoke

# Committed, so that the live server's thread (another connection) sees it; the migrations' rows come back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path):
    upstream, port = f"127.0.0.1:{live_server.thread.port}", free_port()
    process = proxy_start(proxy_config(tmp_path / "nginx", upstream, upstream, f"127.0.0.1:{port}"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def get(url: str, cookie: str = "") -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(), dict(refused.headers)


def test_boards_and_published_pages_come_from_the_proxy_and_forms_and_sessions_never(city, proxy):
    board = board_issue(user=city.users["contractor"], project=city.project)
    draws = f"/public/{Region.objects.get(pk=city.project.district.parent_id).code}/draws/"
    for address in (f"/board/{board.token}/", draws):
        status, first, headers = get(proxy + address)
        assert status == 200 and headers["X-Proxy-Cache"] == "MISS", (address, headers)
        assert "X-Accel-Expires" not in headers  # read by nginx, never passed on to a phone
        for cookie in ("", "csrftoken=" + "a" * 32):  # a visitor, with or without the CSRF cookie of a form
            status, again, headers = get(proxy + address, cookie)
            assert status == 200 and headers["X-Proxy-Cache"] == "HIT" and again == first, (address, cookie)
        status, _, headers = get(proxy + address, "sessionid=somebody")  # not a visitor: through to the platform
        assert status == 200 and headers["X-Proxy-Cache"] == "BYPASS", address
    form = f"/board/{board.token}/complaint/"
    answers = [get(proxy + form) for _ in range(3)]
    assert all(status == 200 and headers["X-Proxy-Cache"] != "HIT" for status, _, headers in answers)
    tokens = {TOKEN.search(body).group(1) for _, body, _ in answers}
    assert len(tokens) == 3  # each visitor his own token: the form was never kept


def test_a_revoked_board_stops_at_the_proxy_within_its_seconds(city, proxy, settings):
    settings.SMZ_PUBLIC_PROXY_SECONDS = 1
    board = board_issue(user=city.users["contractor"], project=city.project)
    address = f"{proxy}/board/{board.token}/"
    assert get(address)[0] == 200 and get(address)[2]["X-Proxy-Cache"] == "HIT"
    board_revoke(user=city.users["haishu"], project=city.project)
    time.sleep(2.2)  # nginx counts a copy's time in whole seconds: one more at most
    status, body, headers = get(address)
    assert status == 404 and city.project.name not in body, headers
