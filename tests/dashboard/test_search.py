"""The header's search box (issue 15): projects by name or permit number, people by name or a full ID
number through its keyed digest (audit-logged), never past the account's jurisdiction."""

from __future__ import annotations

import pytest
from django.test import Client

from smz_platform.common.models import AuditAction, AuditEvent
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

NUMBER = id_number("330203", "19850612", 231)
ELSEWHERE = id_number("330205", "19790304", 118)


@pytest.fixture
def people(city):
    engage(city.project, city.subcontractor, person(NUMBER, name="张卫东"))
    engage(city.other_project, city.other_contractor, person(ELSEWHERE, name="李江北"))
    return city


def search(city, who: str, q: str):
    client = Client()
    client.force_login(city.users[who])
    return client.post("/search/", {"q": q}, secure=True)


def test_a_full_id_number_finds_the_person_masked_with_a_link_to_the_project_and_is_audited(people):
    answer = search(people, "haishu", NUMBER.lower())  # a lower-case x is the same number
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "张卫东" in page and NUMBER[:6] + "********" + NUMBER[-4:] in page
    assert NUMBER not in page  # masked, whoever searched
    assert f'href="/projects/{people.project.permit_no}/"' in page
    event = AuditEvent.objects.get(action=AuditAction.SEARCH_ID_NUMBER)
    assert event.username == "haishu" and event.record_count == 1 and NUMBER not in event.what


def test_a_number_from_another_district_finds_what_an_unknown_number_finds(people):
    elsewhere = search(people, "haishu", ELSEWHERE).content.decode()
    unknown = search(people, "haishu", id_number("330203", "19910101", 7)).content.decode()
    assert "李江北" not in elsewhere
    assert "人员 (0)" in elsewhere and "人员 (0)" in unknown
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH_ID_NUMBER).count() == 2  # both logged


def test_part_of_an_id_number_finds_nobody(people):
    # Only the digest of the whole number is stored: a prefix cannot be looked up, and is not tried.
    page = search(people, "city", NUMBER[:10]).content.decode()
    assert "张卫东" not in page and not AuditEvent.objects.filter(action=AuditAction.SEARCH_ID_NUMBER).exists()


def test_names_and_permit_numbers_find_projects_and_people_in_scope_only(people):
    page = search(people, "haishu", "海曙中心").content.decode()
    assert people.project.name in page and people.other_project.name not in page
    assert people.project.name in search(people, "haishu", people.project.permit_no[-6:]).content.decode()
    assert "张卫东" in search(people, "haishu", "卫东").content.decode()
    assert "李江北" not in search(people, "haishu", "江北").content.decode()
    assert "李江北" in search(people, "city", "江北").content.decode()


def test_a_vendor_finds_no_people_and_a_subcontractor_only_its_own_staff(people):
    assert "张卫东" not in search(people, "vendor", NUMBER).content.decode()
    assert "张卫东" in search(people, "subcontractor", "张卫东").content.decode()
    assert "李江北" not in search(people, "other_contractor", "张卫东").content.decode()


def test_an_overlong_query_is_refused_in_chinese(people):
    answer = search(people, "haishu", "工" * 101)
    assert answer.status_code == 400 and "最多" in answer.content.decode()


def test_an_empty_search_explains_what_can_be_found(people):
    page = search(people, "haishu", "   ").content.decode()
    assert "身份证号" in page and "人员 (" not in page


def test_the_search_needs_a_login():
    answer = Client().post("/search/", {"q": "x"}, secure=True)
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_an_id_number_in_the_address_is_refused_unsearched(people):
    # A link or a typed address would leave the number in history and logs: only the box may send it.
    client = Client()
    client.force_login(people.users["haishu"])
    answer = client.get("/search/", {"q": NUMBER}, secure=True)
    assert answer.status_code == 400 and "搜索框" in answer.content.decode()
    assert "张卫东" not in answer.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH_ID_NUMBER).exists()
    # Names and projects may be linked to.
    assert "张卫东" in client.get("/search/", {"q": "张卫东"}, secure=True).content.decode()
