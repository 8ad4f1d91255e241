"""The OpenAPI schema agrees with api.md §2 for the paths built so far."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

CONTRACT = {
    "/api/v1/regions/": {"post"},
    "/api/v1/enterprises/": {"post"},
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{permit_no}/engagements/": {"post"},
    "/api/v1/projects/{permit_no}/engagements/{engagement_id}/exit/": {"post"},
    "/api/v1/projects/{permit_no}/devices/": {"post"},
    "/api/v1/devices/": {"get"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_contract_path_and_method_is_in_the_schema(schema):
    for path, methods in CONTRACT.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))


def test_the_schema_documents_the_contract_fields(schema):
    components = schema["components"]["schemas"]
    assert set(components["ProjectRequest"]["properties"]) >= {
        "permit_no",
        "name",
        "district",
        "kind",
        "building_area_m2",
        "contract_cost_yuan",
        "planned_start",
        "actual_start",
        "status",
        "participants",
        "required_positions",
    }
    assert set(components["EngagementInRequest"]["properties"]) >= {
        "id_number",
        "name",
        "employer",
        "category",
        "position",
        "team",
        "trade",
        "entered_on",
    }
    assert set(components["DeviceInRequest"]["properties"]) >= {
        "serial",
        "vendor",
        "model",
        "kind",
        "connection",
        "location",
        "lat",
        "lon",
        "fence_m",
    }
    assert set(components["DeviceRegistered"]["properties"]) == {"serial", "secret"}
    devices_get = schema["paths"]["/api/v1/devices/"]["get"]
    assert {p["name"] for p in devices_get["parameters"]} >= {"project", "online"}
    projects_get = schema["paths"]["/api/v1/projects/"]["get"]
    assert {p["name"] for p in projects_get["parameters"]} >= {"district", "status"}


def test_token_authentication_is_declared(schema):
    assert "tokenAuth" in schema["components"]["securitySchemes"]
