"""进场登记 and 退场登记 over the API: who may register whom, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from projects.models import Engagement, Person
from tests.factories import engage, id_number, person

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def body(city, **overrides):
    data = {
        "id_number": id_number("330203", "19850612", 231),
        "name": "李建军",
        "employer": city.subcontractor.uscc,
        "category": "worker",
        "team": "钢筋一班",
        "trade": "020",
        "entered_on": "2026-11-20",
    }
    data.update(overrides)
    return data


def url(city, project=None):
    return f"/api/v1/projects/{(project or city.project).permit_no}/engagements/"


def test_the_contractor_engages_a_subcontractors_worker(city):
    response = city.client("contractor").post(url(city), body(city), format="json")
    assert response.status_code == 201, response.json()
    engagement = Engagement.objects.get(pk=response.json()["id"])
    assert response.json()["warnings"] == []
    assert engagement.employer == city.subcontractor
    assert engagement.person.name == "李建军"
    assert engagement.person.gender == "male"
    assert engagement.person.birth_year == 1985  # the year only: the date would undo the mask


def test_a_subcontractor_engages_its_own_staff_only(city):
    own = city.client("subcontractor").post(url(city), body(city), format="json")
    assert own.status_code == 201
    other = city.client("subcontractor").post(
        url(city), body(city, id_number=id_number(seq=5), employer=city.supervisor.uscc), format="json"
    )
    assert other.status_code == 403


def test_a_manager_is_engaged_with_a_position(city):
    data = body(city, employer=city.contractor.uscc, category="manager", position="project_manager", trade="")
    response = city.client("contractor").post(url(city), data, format="json")
    assert response.status_code == 201
    assert Engagement.objects.get(pk=response.json()["id"]).position == "project_manager"


def test_an_unknown_region_code_is_accepted_with_a_warning(city):
    response = city.client("contractor").post(url(city), body(city, id_number=id_number("339999")), format="json")
    assert response.status_code == 201
    assert "339999" in response.json()["warnings"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_number": "1101051949"}, "id_number"),
        ({"employer": "91330200MA0000000X"}, "employer"),
        ({"category": "visitor"}, "category"),
        ({"category": "manager"}, "position"),
        ({"position": "project_manager"}, "position"),
        ({"trade": "999"}, "trade"),
        ({"entered_on": "2026-13-01"}, "entered_on"),
        ({"entered_on": "2027-06-01"}, "entered_on"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_engagements_are_refused_naming_the_field_and_nothing_is_written(city, overrides, field):
    response = city.client("contractor").post(url(city), body(city, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Engagement.objects.count() == 0
    assert Person.objects.count() == 0


def test_the_wrong_check_character_is_explained_in_chinese(city):
    response = city.client("contractor").post(url(city), body(city, id_number="110105194912310021"), format="json")
    assert response.json() == {"id_number": ["校验码不符"]}


def test_an_employer_not_taking_part_in_the_project_is_refused(city):
    response = city.client("contractor").post(url(city), body(city, employer=city.other_contractor.uscc), format="json")
    assert response.status_code == 400
    assert "employer" in response.json()


def test_a_person_already_engaged_on_the_project_is_a_conflict(city):
    first = city.client("contractor").post(url(city), body(city), format="json")
    assert first.status_code == 201
    again = city.client("contractor").post(url(city), body(city, entered_on="2026-11-21"), format="json")
    assert again.status_code == 409
    assert "2026-11-20" in again.json()["id_number"][0]
    assert Engagement.objects.count() == 1


def test_the_same_number_under_another_name_is_refused(city):
    city.client("contractor").post(url(city), body(city), format="json")
    response = city.client("city").post(
        url(city, city.other_project), body(city, name="李四", employer=city.other_contractor.uscc), format="json"
    )
    assert response.status_code == 400
    # The refusal names no one (the number's holder is not told to whoever tries it).
    assert "id_number" in response.json() and "李建军" not in response.content.decode()


def test_one_person_may_be_engaged_on_two_projects_and_is_stored_once(city):
    city.client("contractor").post(url(city), body(city), format="json")
    second = city.client("other_contractor").post(
        url(city, city.other_project), body(city, employer=city.other_contractor.uscc), format="json"
    )
    assert second.status_code == 201
    assert Person.objects.count() == 1


def test_an_unknown_project_is_404(city):
    response = city.client("city").post("/api/v1/projects/NO-SUCH-PERMIT/engagements/", body(city), format="json")
    assert response.status_code == 404


def test_an_exit_with_settlement_confirmation_ends_the_engagement(city):
    engagement = engage(city.project, city.subcontractor, entered_on=dt.date(2026, 10, 1))
    exit_url = f"{url(city)}{engagement.pk}/exit/"
    response = city.client("contractor").post(
        exit_url, {"exited_on": "2026-11-24", "settlement_confirmed": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["exited_on"] == "2026-11-24"
    engagement.refresh_from_db()
    assert engagement.exited_on == dt.date(2026, 11, 24) and engagement.settlement_confirmed


def test_after_an_exit_the_person_may_be_engaged_again(city):
    engagement = engage(city.project, city.subcontractor, entered_on=dt.date(2026, 10, 1))
    city.client("contractor").post(
        f"{url(city)}{engagement.pk}/exit/", {"exited_on": "2026-11-24", "settlement_confirmed": True}, format="json"
    )
    again = city.client("contractor").post(
        url(city),
        body(city, id_number=engagement.person.reveal_id_number(), name=engagement.person.name),
        format="json",
    )
    assert again.status_code == 201


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"exited_on": "2026-09-30", "settlement_confirmed": True}, 400, "exited_on"),
        ({"exited_on": "2026-11-24", "settlement_confirmed": False}, 400, "settlement_confirmed"),
        ({"exited_on": "2026-12-24", "settlement_confirmed": True}, 400, "exited_on"),
        ({"exited_on": "yesterday", "settlement_confirmed": True}, 400, "exited_on"),
        ({"settlement_confirmed": True}, 400, "exited_on"),
    ],
)
def test_bad_exits_are_refused(city, data, status, field):
    engagement = engage(city.project, city.subcontractor, entered_on=dt.date(2026, 10, 1))
    response = city.client("contractor").post(f"{url(city)}{engagement.pk}/exit/", data, format="json")
    assert response.status_code == status
    assert field in response.json()
    engagement.refresh_from_db()
    assert engagement.exited_on is None


def test_a_second_exit_is_a_conflict(city):
    engagement = engage(city.project, city.subcontractor, entered_on=dt.date(2026, 10, 1))
    exit_url = f"{url(city)}{engagement.pk}/exit/"
    data = {"exited_on": "2026-11-24", "settlement_confirmed": True}
    assert city.client("contractor").post(exit_url, data, format="json").status_code == 200
    assert city.client("contractor").post(exit_url, data, format="json").status_code == 409


def test_a_supervisor_cannot_exit_a_subcontractors_worker(city):
    engagement = engage(city.project, city.subcontractor, entered_on=dt.date(2026, 10, 1))
    response = city.client("supervisor").post(
        f"{url(city)}{engagement.pk}/exit/", {"exited_on": "2026-11-24", "settlement_confirmed": True}, format="json"
    )
    # The supervision firm does not even see the subcontractor's staff.
    assert response.status_code == 404


def test_the_list_shows_masked_numbers(city):
    number = id_number("330203", "19900101", 123)
    engage(city.project, city.subcontractor, who=person(number, "张三"))
    results = city.client("contractor").get(url(city)).json()["results"]
    shown = {r["name"]: r["id_number"] for r in results}
    assert shown["张三"] == number[:6] + "********" + number[-4:]


def test_engagements_can_be_filtered(city):
    engage(city.project, city.subcontractor)
    engage(city.project, city.contractor, category="manager", position="project_manager")
    client = city.client("city")
    managers = client.get(url(city) + "?category=manager").json()
    assert [r["position"] for r in managers["results"]] == ["project_manager"]
    by_employer = client.get(url(city) + f"?employer={city.subcontractor.uscc}").json()
    assert by_employer["count"] == 1


def test_the_engagement_list_costs_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    for _ in range(5):
        engage(city.project, city.subcontractor)
    client = city.client("contractor")
    with django_assert_max_num_queries(6):
        assert client.get(url(city)).json()["count"] == 5
