"""Registering regions, enterprises and projects over the integration API, and refusals."""

from __future__ import annotations

import pytest

from projects.models import Enterprise, Project, ProjectParticipant, Region
from tests.factories import credit_code

pytestmark = pytest.mark.django_db


def project_body(city, **overrides):
    body = {
        "permit_no": "330203202611250001",
        "name": "海曙区文化中心工程",
        "district": "330203",
        "kind": "building",
        "building_area_m2": 12000,
        "contract_cost_yuan": 50000000,
        "planned_start": "2026-12-01",
        "participants": [
            {"uscc": city.contractor.uscc, "role": "contractor"},
            {"uscc": city.supervisor.uscc, "role": "supervisor"},
        ],
        "required_positions": ["project_manager", "chief_supervisor"],
    }
    body.update(overrides)
    return body


def test_the_city_registers_a_district_and_a_town(city):
    client = city.client("city")
    response = client.post("/api/v1/regions/", {"code": "330206", "name": "北仑区", "parent": "330200"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"code": "330206", "name": "北仑区", "level": "district", "parent": "330200"}
    town = client.post("/api/v1/regions/", {"code": "330206001", "name": "新碶街道", "parent": "330206"}, format="json")
    assert town.json()["level"] == "town"


def test_a_region_under_an_unknown_parent_is_refused(city):
    response = city.client("city").post(
        "/api/v1/regions/", {"code": "330299", "name": "不存在区", "parent": "339900"}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Region.objects.filter(code="330299").exists()


def test_a_duplicate_region_is_a_conflict(city):
    response = city.client("city").post(
        "/api/v1/regions/", {"code": "330203", "name": "海曙区", "parent": "330200"}, format="json"
    )
    assert response.status_code == 409
    assert "code" in response.json()


def test_district_staff_cannot_register_regions(city):
    response = city.client("haishu").post(
        "/api/v1/regions/", {"code": "330206", "name": "北仑区", "parent": "330200"}, format="json"
    )
    assert response.status_code == 403


def test_an_enterprise_is_registered_with_its_kinds(city):
    code = credit_code(7654321)
    response = city.client("contractor").post(
        "/api/v1/enterprises/",
        {"uscc": code, "name": "宁波新锐劳务有限公司", "kinds": ["subcontractor"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {
        "uscc": code,
        "name": "宁波新锐劳务有限公司",
        "kinds": ["subcontractor"],
        # 诚信信息: a new firm has no complaint against it
        "complaints_total": 0,
        "complaints_upheld": 0,
        "complaints_not_upheld": 0,
        "complaints_open": 0,
    }
    enterprise = Enterprise.objects.get(uscc=code)
    assert enterprise.is_subcontractor and not enterprise.is_contractor


def test_a_credit_code_with_a_wrong_check_character_is_refused_and_nothing_is_written(city):
    code = credit_code(7654321)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = city.client("city").post(
        "/api/v1/enterprises/", {"uscc": wrong, "name": "假公司", "kinds": ["contractor"]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["uscc"]
    assert not Enterprise.objects.filter(name="假公司").exists()


def test_an_unknown_enterprise_kind_is_refused(city):
    response = city.client("city").post(
        "/api/v1/enterprises/", {"uscc": credit_code(42), "name": "某公司", "kinds": ["bank"]}, format="json"
    )
    assert response.status_code == 400
    assert "kinds" in response.json()


def test_a_duplicate_credit_code_is_a_conflict(city):
    response = city.client("city").post(
        "/api/v1/enterprises/", {"uscc": city.vendor.uscc, "name": "重复", "kinds": ["vendor"]}, format="json"
    )
    assert response.status_code == 409
    assert "uscc" in response.json()


def test_a_contractor_registers_its_project_which_starts_as_not_started(city):
    response = city.client("contractor").post("/api/v1/projects/", project_body(city), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "not_started"
    assert body["district"] == "330203"
    assert body["in_scope"] is True
    assert (body["building_area_m2"], body["contract_cost_yuan"]) == (12000, 50000000)
    assert {(p["uscc"], p["role"]) for p in body["participants"]} == {
        (city.contractor.uscc, "contractor"),
        (city.supervisor.uscc, "supervisor"),
    }


def test_only_a_city_user_may_set_the_status_on_creation(city):
    refused = city.client("contractor").post(
        "/api/v1/projects/", project_body(city, status="active", actual_start="2026-10-01"), format="json"
    )
    assert refused.status_code == 400
    assert "status" in refused.json()
    assert not Project.objects.filter(permit_no="330203202611250001").exists()
    accepted = city.client("city").post(
        "/api/v1/projects/", project_body(city, status="active", actual_start="2026-10-01"), format="json"
    )
    assert accepted.status_code == 201
    assert accepted.json()["status"] == "active"


def test_an_active_project_without_an_actual_start_is_refused(city):
    response = city.client("city").post("/api/v1/projects/", project_body(city, status="active"), format="json")
    assert response.status_code == 400
    assert "actual_start" in response.json()


def test_a_project_in_an_unknown_district_is_refused(city):
    response = city.client("city").post("/api/v1/projects/", project_body(city, district="339999"), format="json")
    assert response.status_code == 400
    assert "district" in response.json()


def test_a_project_with_an_unknown_participant_is_refused_and_nothing_is_written(city):
    body = project_body(city)
    body["participants"].append({"uscc": credit_code(99), "role": "subcontractor"})
    response = city.client("city").post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert "participants" in response.json()
    assert not Project.objects.filter(permit_no=body["permit_no"]).exists()


def test_a_participant_in_a_role_it_is_not_registered_for_is_refused(city):
    body = project_body(city)
    body["participants"].append({"uscc": city.vendor.uscc, "role": "supervisor"})
    response = city.client("city").post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert city.vendor.name in response.json()["participants"][0]
    assert ProjectParticipant.objects.filter(project__permit_no=body["permit_no"]).count() == 0


def test_a_project_without_a_general_contractor_is_refused(city):
    body = project_body(city, participants=[{"uscc": city.supervisor.uscc, "role": "supervisor"}])
    response = city.client("city").post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert "participants" in response.json()


def test_an_unknown_required_position_is_refused(city):
    response = city.client("city").post(
        "/api/v1/projects/", project_body(city, required_positions=["astronaut"]), format="json"
    )
    assert response.status_code == 400
    assert "astronaut" in response.json()["required_positions"][0]


def test_dates_out_of_order_are_refused(city):
    body = project_body(city, status="completed", actual_start="2026-10-01", completed_on="2026-09-01")
    response = city.client("city").post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert "completed_on" in response.json()


def test_a_duplicate_permit_number_is_a_conflict(city):
    response = city.client("city").post(
        "/api/v1/projects/", project_body(city, permit_no=city.project.permit_no), format="json"
    )
    assert response.status_code == 409
    assert "permit_no" in response.json()


def test_a_district_user_cannot_register_a_project_in_another_district(city):
    response = city.client("jiangbei").post("/api/v1/projects/", project_body(city), format="json")
    assert response.status_code == 403


def test_an_enterprise_registers_only_projects_it_contracts(city):
    response = city.client("subcontractor").post("/api/v1/projects/", project_body(city), format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"permit_no": 5, "participants": "x"}'])
def test_malformed_bodies_are_400_not_500(city, body):
    response = city.client("city").post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_small_building_is_out_of_scope(city):
    response = city.client("city").post(
        "/api/v1/projects/", project_body(city, building_area_m2=4999.99), format="json"
    )
    assert response.json()["in_scope"] is False


def test_projects_are_filtered_by_district_and_status(city):
    client = city.client("city")
    in_haishu = client.get("/api/v1/projects/?district=330203").json()
    assert [p["permit_no"] for p in in_haishu["results"]] == [city.project.permit_no]
    assert client.get("/api/v1/projects/?status=suspended").json()["count"] == 0
    assert client.get("/api/v1/projects/?status=nonsense").status_code == 400


def test_the_project_list_costs_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    client = city.client("city")
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/projects/")
    assert response.json()["count"] == 2
