"""The punch record of the device API (docs/device-api.md), declared once as a JSON Schema.

The same schema validates every record the intake reads (compiled by fastjsonschema, microseconds a
record) and documents the records in the OpenAPI schema, so that what is documented cannot drift from
what is enforced. Each property names the contract's error code for a record that breaks it
(`x-error-code`); what a schema cannot say (the ID number's check character, the device clock, the
photo's bytes) is checked after it by attendance.intake, and each such check is described in the
property's description.
"""

from __future__ import annotations

import copy
from functools import cache

import fastjsonschema

MAX_BATCH = 500
MAX_PHOTO_BYTES = 200 * 1024
DIRECTIONS = ("in", "out")
METHODS = ("face", "fingerprint", "iris", "id_card", "mobile")

PUNCH_RECORD = {
    "type": "object",
    "required": ["record_id", "id_number", "punched_at", "direction", "method"],
    "properties": {
        "record_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": "^[^\\x00-\\x1f\\x7f]+$",
            "x-error-code": "missing_field",
            "description": "The device's own id of the record, unique per device: the idempotency key (an integer "
            "is read as its decimal string).",
        },
        "id_number": {
            "type": "string",
            "minLength": 18,
            "maxLength": 18,
            "pattern": "^[0-9]{17}[0-9Xx]$",
            "x-error-code": "invalid_id_number",
            "description": "Resident ID number (GB 11643) with a valid check character and a real birth date.",
        },
        "punched_at": {
            "type": "string",
            "minLength": 10,
            "maxLength": 40,
            "x-error-code": "invalid_time",
            "x-more-codes": ["future_time"],  # checked after the schema, by attendance.intake
            "description": "ISO 8601; without an offset, Asia/Shanghai. At most 5 minutes ahead of the server's clock "
            "(future_time), not before 2000.",
        },
        "direction": {"type": "string", "enum": list(DIRECTIONS), "x-error-code": "invalid_direction"},
        "method": {"type": "string", "enum": list(METHODS), "x-error-code": "invalid_method"},
        "liveness": {
            "type": ["boolean", "null"],
            "x-error-code": "invalid_liveness",
            "description": "The device's liveness check: true, false, or null / absent when none ran.",
        },
        "match_score": {
            "type": ["number", "null"],
            "minimum": 0,
            "maximum": 1,
            "x-error-code": "invalid_score",
            "description": "Face match score, 0.0–1.0.",
        },
        "photo": {
            "type": "string",
            "maxLength": (MAX_PHOTO_BYTES * 4) // 3 + 8,
            "x-error-code": "invalid_photo",
            "description": "Base64 JPEG, at most 200 KiB decoded.",
        },
        "photo_sha256": {
            "type": "string",
            "pattern": "^[0-9a-fA-F]{64}$",
            "x-error-code": "invalid_photo",
            "description": "Hex SHA-256 of the photo when the photo itself is not sent; must match it when both are.",
        },
        "lat": {
            "type": ["number", "null"],
            "minimum": -90,
            "maximum": 90,
            "x-error-code": "invalid_location",
            "description": "WGS-84 degrees; required with lon for a mobile punch.",
        },
        "lon": {
            "type": ["number", "null"],
            "minimum": -180,
            "maximum": 180,
            "x-error-code": "invalid_location",
            "description": "WGS-84 degrees; required with lat for a mobile punch.",
        },
        "card_valid_from": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "x-error-code": "invalid_card",
            "description": "A card read (method id_card, by a certified reader): the first day of the card's validity "
            "(YYYY-MM-DD). Sent with card_valid_until; the number read is id_number.",
        },
        "card_valid_until": {
            "type": "string",
            "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2}|长期)$",
            "x-error-code": "invalid_card",
            "description": "A card read: the last day of the card's validity (YYYY-MM-DD), or 长期 for a card valid "
            "for life. An entry read of an expired card, or of a number not engaged on the project, "
            "is stored as a punch but verifies no entry (rule R17).",
        },
    },
}

PUNCH_BATCH = {
    "type": "object",
    "required": ["punches"],
    "properties": {"punches": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": PUNCH_RECORD}},
}

HEARTBEAT = {
    "type": "object",
    "required": ["liveness_enabled"],
    "properties": {
        "liveness_enabled": {"type": "boolean", "description": "Whether liveness detection is on (rule R06)."},
        "firmware": {"type": "string", "maxLength": 64},
        "reported_at": {"type": "string", "description": "ISO 8601: when the device sent it."},
    },
}


@cache
def punch_validator():
    """The compiled validator of one punch record (raises fastjsonschema.JsonSchemaValueException)."""
    return fastjsonschema.compile(PUNCH_RECORD)


def error_code(exc: fastjsonschema.JsonSchemaValueException) -> str:
    """The contract's code for a record the schema refused: a missing field is `missing_field`, a field
    that breaks its own rule is that property's code."""
    if exc.rule == "required" or exc.rule == "type" and exc.name == "data":
        return "missing_field"
    field = exc.name.split(".", 1)[1].split(".")[0].split("[")[0] if "." in exc.name else ""
    return PUNCH_RECORD["properties"].get(field, {}).get("x-error-code", "missing_field")


def fields_markdown() -> str:
    """The table of a punch record's fields in docs/device-api.md, written from PUNCH_RECORD (manage.py
    device_api_doc), so that the page cannot say what the intake does not enforce."""
    rows = ["| field | required | rule | code when broken |", "| --- | --- | --- | --- |"]
    for name, spec in PUNCH_RECORD["properties"].items():
        rule = spec.get("description", "")
        if "enum" in spec:
            rule = "one of " + ", ".join(f"`{value}`" for value in spec["enum"]) + (f". {rule}" if rule else "")
        required = "yes" if name in PUNCH_RECORD["required"] else "no"
        codes = ", ".join(f"`{code}`" for code in (spec["x-error-code"], *spec.get("x-more-codes", ())))
        rows.append(f"| `{name}` | {required} | {rule} | {codes} |")
    return "\n".join(rows) + "\n"


def as_openapi(schema: dict) -> dict:
    """The schema as OpenAPI 3.0 writes it: a nullable type instead of a type list with null (the error
    codes stay, as the specification's `x-` extensions)."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, list):
                others = [k for k in kind if k != "null"]
                node["type"] = others[0]
                if "null" in kind:
                    node["nullable"] = True
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema
