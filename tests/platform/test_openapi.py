"""The OpenAPI schema documents every route of the API as it is enforced: every path of the URL
configuration under /api/, its methods, the contract's fields, and the device API's records exactly as
the intake validates them."""

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
    scheme = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert (scheme["in"], scheme["name"]) == ("header", "Authorization") and '"Token"' in scheme["description"]


def _routes(patterns, prefix=""):
    """Every (path, view) of the URL configuration, with DRF's and Django's converters as {name}."""
    import re

    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)  # the routers' regex groups
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path).replace("^", "").replace("$", "")
            yield "/" + path, entry.callback


def test_every_api_route_is_in_the_schema_with_its_methods(schema):
    import re

    from django.urls import get_resolver

    def shape(path: str) -> str:  # a parameter's name is the schema's choice (pk is shown as id)
        return re.sub(r"\{\w+\}", "{}", path)

    documented = {shape(path): methods for path, methods in schema["paths"].items()}
    seen = 0
    for path, callback in _routes(get_resolver().url_patterns):
        if not path.startswith("/api/") or path.startswith(("/api/schema", "/api/docs", "/api/redoc")):
            continue
        if "(?P<format>" in path or "{format}" in path:
            continue  # DRF's format suffixes
        seen += 1
        assert shape(path) in documented, path
        actions = getattr(callback, "actions", None)
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        verbs = ("get", "post", "put", "patch", "delete")
        methods = set(actions) - {"head", "options"} if actions else {m for m in verbs if hasattr(view, m)}
        assert methods <= set(documented[shape(path)]), (path, methods, set(documented[shape(path)]))
    assert seen > 40


def test_the_device_api_documents_the_records_it_validates(schema):
    from attendance.contract import HEARTBEAT, PUNCH_BATCH, as_openapi

    punches = schema["paths"]["/api/device/v1/punches"]["post"]["requestBody"]["content"]["application/json"]
    assert punches["schema"] == as_openapi(PUNCH_BATCH)
    record = punches["schema"]["properties"]["punches"]["items"]
    assert record["properties"]["direction"]["enum"] == ["in", "out"]
    assert record["properties"]["liveness"] == {
        "type": "boolean",
        "nullable": True,
        "x-error-code": "invalid_liveness",
        "description": record["properties"]["liveness"]["description"],
    }
    heartbeat = schema["paths"]["/api/device/v1/heartbeat"]["post"]["requestBody"]["content"]["application/json"]
    assert heartbeat["schema"] == as_openapi(HEARTBEAT)


def test_the_schema_is_made_once_per_language_and_format_and_answered_alike(client, monkeypatch):
    """Anyone may read the schema; generating and rendering it costs ~0.4 s of CPU, so it is made once per
    language and format, and an address the platform would not keep (a version, JSON's indent) is made afresh."""
    from drf_spectacular.generators import SchemaGenerator

    from smz_platform.common.api import SchemaView

    monkeypatch.setattr(SchemaView, "_kept", {})
    made = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        made.append(self)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    as_json = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}
    yaml_first, yaml_again = client.get("/api/schema/"), client.get("/api/schema/")
    json_first, json_again = client.get("/api/schema/", **as_json), client.get("/api/schema/", **as_json)
    assert yaml_first.status_code == yaml_again.status_code == 200
    assert yaml_again.content == yaml_first.content and b"openapi: 3" in yaml_again.content
    assert yaml_again["Content-Type"] == yaml_first["Content-Type"]
    assert yaml_again["Content-Disposition"] == yaml_first["Content-Disposition"]
    assert json_again.json() == json_first.json() and "/api/v1/projects/" in json_again.json()["paths"]
    assert json_again["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert len(made) == 2  # one YAML, one JSON

    indented = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json; indent=2")
    versioned = client.get("/api/schema/?version=anything", **as_json)
    assert indented.status_code == versioned.status_code == 200
    assert b'\n  "openapi"' in indented.content
    assert len(made) == 4 and len(SchemaView._kept) == 2
