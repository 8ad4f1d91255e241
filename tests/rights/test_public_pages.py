"""A crowd of phones on the public pages (issue 28: "public pages are cached and cheap"): a visitor without a
session is answered from the shared cache with no query; a cached form still carries his own working CSRF token;
a revoked board stops at once; a signed-in account, an invented query string or a page that changed are never
served someone else's copy."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from projects.models import Region
from rights.models import Complaint, RightsBoard
from rights.services import board_issue, board_revoke
from smz_platform.common import publicpages
from smz_platform.common.publicpages import PublicPageMiddleware, page_key, public_pages_local_forget

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    public_pages_local_forget()
    yield
    cache.clear()
    public_pages_local_forget()


@pytest.fixture
def board(city) -> RightsBoard:
    return board_issue(user=city.users["contractor"], project=city.project)


def token_of(response) -> str:
    return TOKEN.search(response.content.decode()).group(1)


def test_a_board_opened_again_by_another_phone_costs_no_query_and_keeps_its_headers(board, django_assert_num_queries):
    first = Client().get(f"/board/{board.token}/")
    assert first.status_code == 200 and board.project.name in first.content.decode()
    with django_assert_num_queries(0):
        again = Client().get(f"/board/{board.token}/")
    assert again.status_code == 200 and again.content == first.content
    for header in ("Content-Type", "X-Frame-Options", "Content-Language", "X-Content-Type-Options"):
        assert again.headers[header] == first.headers[header], header
    assert "no-cache" in again.headers["Cache-Control"]  # phones ask each time: a revocation reaches them
    assert "Set-Cookie" not in again.headers and "sessionid" not in again.cookies


def test_a_revoked_board_and_its_form_stop_at_once_for_the_crowd(city, board, django_capture_on_commit_callbacks):
    for address in (f"/board/{board.token}/", f"/board/{board.token}/complaint/"):
        assert Client().get(address).status_code == 200
    haishu = Client()
    haishu.force_login(city.users["haishu"])
    with django_capture_on_commit_callbacks(execute=True):
        board_revoke(user=city.users["haishu"], project=city.project)
    for address in (f"/board/{board.token}/", f"/board/{board.token}/complaint/"):
        assert Client().get(address).status_code == 404, address


def test_a_cached_form_gives_each_visitor_his_own_token_and_it_works(board, django_assert_num_queries):
    address = f"/board/{board.token}/complaint/"
    Client().get(address)  # the first visitor renders it
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        page = one.get(address)
    assert page.status_code == 200 and "csrftoken" in page.cookies
    assert "\x00" not in page.content.decode()  # no marker left in what the phone reads
    assert token_of(page) != token_of(two.get(address))
    filed = one.post(
        address,
        {"action": "file", "kind": "safety", "text": "塔吊司机无证上岗", "csrfmiddlewaretoken": token_of(page)},
        REMOTE_ADDR="203.0.113.7",
    )
    assert filed.status_code == 200 and "查询码" in filed.content.decode()
    assert Complaint.objects.filter(project=board.project).count() == 1
    # Without the token of his own cookie the post is refused, cache or not.
    refused = two.post(address, {"action": "file", "kind": "wages", "text": "x", "csrfmiddlewaretoken": "A" * 64})
    assert refused.status_code == 403 and Complaint.objects.count() == 1


def test_a_visitor_who_kept_his_cookie_gets_a_token_of_that_cookie(board):
    address = f"/board/{board.token}/complaint/"
    phone = Client(enforce_csrf_checks=True)
    phone.get(address)
    cookie = phone.cookies["csrftoken"].value
    again = phone.get(address)  # from the cache now
    assert again.cookies["csrftoken"].value == cookie  # his cookie stands (sent again, as Django does)
    filed = phone.post(
        address, {"action": "file", "kind": "safety", "text": "脚手架无防护", "csrfmiddlewaretoken": token_of(again)}
    )
    assert filed.status_code == 200 and phone.cookies["csrftoken"].value == cookie


def test_a_signed_in_account_and_invented_queries_go_through_the_whole_stack(city, board, django_assert_num_queries):
    city_code = Region.objects.get(pk=city.project.district.parent_id).code
    address = f"/public/{city_code}/draws/"
    assert Client().get(address).status_code == 200
    with django_assert_num_queries(0):
        assert Client().get(address).status_code == 200
    cache.clear()
    staff = Client()
    staff.force_login(city.users["haishu"])
    assert staff.get(address).status_code == 200  # a session: his own rendering, never kept for the crowd
    assert not cache.has_key(page_key(address))
    Client().get(f"{address}?utm=1")
    assert not cache.has_key(page_key(address, "utm=1"))  # an invented query is not kept
    Client().get(f"{address}?page=1")
    assert cache.has_key(page_key(address, "page=1"))


def test_only_a_success_is_kept_for_the_crowd(db):
    unknown = "/board/" + "ab" * 24 + "/"
    assert Client().get(unknown).status_code == 404
    assert not cache.has_key(page_key(unknown))


def test_with_the_shared_cache_down_every_page_is_still_served(board):
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down):
        assert Client().get("/login/").status_code == 200
        page = Client().get(f"/board/{board.token}/")
    assert page.status_code == 200 and board.project.name in page.content.decode()


def _crowd(middleware, path: str, visitors: int) -> list:
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(middleware(RequestFactory().get(path)))) for _ in range(visitors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_crowd_arriving_on_a_cold_page_renders_it_once_and_all_get_it():
    renders = []

    def circular(request):
        renders.append(request.path)
        time.sleep(0.3)  # a month's circular of a whole city is not a cheap page
        response = HttpResponse("<p>2026年10月通报</p>")
        response.public_page_seconds = 60
        return response

    answers = _crowd(PublicPageMiddleware(circular), "/public/330200/circulars/2026-10/", 8)
    assert len(renders) == 1
    assert [a.status_code for a in answers] == [200] * 8 and all("通报" in a.content.decode() for a in answers)


def test_requests_waiting_on_a_page_that_is_not_kept_render_it_themselves():
    def login(request):
        time.sleep(0.1)
        return HttpResponse("登录")  # not a public page: never kept

    answers = _crowd(PublicPageMiddleware(login), "/login/", 4)
    assert [a.status_code for a in answers] == [200] * 4 and not cache.get(page_key("/login/"))


def test_a_process_answers_again_from_its_own_copy_until_the_shared_one_expires(board):
    address = f"/board/{board.token}/"
    first = Client().get(address)
    cache.delete(page_key(address))  # the shared copy gone: this process's own copy answers
    assert Client().get(address).content == first.content
    kept = publicpages._local.pages[page_key(address)]
    publicpages._local.pages[page_key(address)] = (*kept[:3], time.time() - 1)  # its time is up
    assert Client().get(address).status_code == 200
    assert cache.get(page_key(address)) is not None  # rendered and kept anew


def test_a_board_revoked_on_another_process_stops_here_within_a_second(city, board, django_capture_on_commit_callbacks):
    address = f"/board/{board.token}/"
    assert Client().get(address).status_code == 200
    mine = publicpages._local
    publicpages._local = publicpages._Local()  # the revocation is done by another process, with its own copies
    try:
        with django_capture_on_commit_callbacks(execute=True):
            board_revoke(user=city.users["haishu"], project=city.project)
    finally:
        publicpages._local = mine
    assert page_key(address) in mine.pages  # this process still holds its copy…
    mine.checked -= publicpages.GENERATION_CHECK_SECONDS  # …until its next look at the generation, a second on
    assert Client().get(address).status_code == 404


def test_the_proxy_may_keep_a_board_a_minute_and_never_a_form_or_a_signed_in_answer(city, board, settings):
    """deploy/nginx.conf keeps what the answer's X-Accel-Expires allows (nginx reads it and passes it on to no
    phone): a board or a published page for a minute, on the first answer and on the kept ones; never a form,
    whose token is the visitor's own, an answer to a session, a refusal or an invented query."""
    city_code = Region.objects.get(pk=city.project.district.parent_id).code
    for address in (f"/board/{board.token}/", f"/public/{city_code}/draws/"):
        first, again = Client().get(address), Client().get(address)
        assert first.headers["X-Accel-Expires"] == again.headers["X-Accel-Expires"] == "60", address
    for address in (f"/board/{board.token}/complaint/", "/worker/"):
        first, again = Client().get(address), Client().get(address)
        assert first.status_code == again.status_code == 200 and TOKEN.search(again.content.decode()), address
        assert "X-Accel-Expires" not in first.headers and "X-Accel-Expires" not in again.headers, address
    staff = Client()
    staff.force_login(city.users["haishu"])
    assert "X-Accel-Expires" not in staff.get(f"/board/{board.token}/").headers
    assert "X-Accel-Expires" not in Client().get(f"/board/{board.token}/?utm=1").headers
    assert "X-Accel-Expires" not in Client().get("/board/" + "ab" * 24 + "/").headers
    settings.SMZ_PUBLIC_PROXY_SECONDS = 0
    assert "X-Accel-Expires" not in Client().get(f"/board/{board.token}/").headers


def test_the_proxy_never_keeps_a_page_past_the_platforms_own_copy(board, settings):
    settings.SMZ_PUBLIC_PROXY_SECONDS = 10**6
    seconds = int(Client().get(f"/board/{board.token}/").headers["X-Accel-Expires"])
    assert 3500 <= seconds <= 3600  # a board is kept an hour (rights/selectors/board.py)
