"""docs/device-api.md's table of a punch record's fields is the contract's (issue 26: a punch field had a
hand-written home in the page beside the schema the intake enforces)."""

from __future__ import annotations

import io
import pathlib
import shutil

import pytest
from django.core.management import CommandError, call_command

from attendance.contract import PUNCH_RECORD
from attendance.doc import device_api_markdown

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "device-api.md"


def test_the_committed_page_is_the_contracts():
    assert PAGE.read_text(encoding="utf-8") == device_api_markdown(), "run `python manage.py device_api_doc`"


def test_every_field_of_the_schema_has_its_row_with_its_error_codes():
    table = PAGE.read_text(encoding="utf-8").split("<!-- fields:", 1)[1].split("<!-- /fields -->")[0]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| `")}
    assert set(rows) == {f"`{name}`" for name in PUNCH_RECORD["properties"]}
    for name, spec in PUNCH_RECORD["properties"].items():
        cells = [cell.strip() for cell in rows[f"`{name}`"].split("|")[1:-1]]
        assert cells[1] == ("yes" if name in PUNCH_RECORD["required"] else "no"), name
        assert f"`{spec['x-error-code']}`" in cells[3], name
    assert "`future_time`" in rows["`punched_at`"]  # checked after the schema, listed all the same


def test_a_field_added_to_the_contract_makes_the_page_stale_until_it_is_written_again(tmp_path, settings, monkeypatch):
    (tmp_path / "docs").mkdir()
    shutil.copy(PAGE, tmp_path / "docs" / "device-api.md")
    settings.BASE_DIR = tmp_path
    call_command("device_api_doc", "--check", stdout=io.StringIO())
    extra = {"type": "string", "maxLength": 32, "x-error-code": "invalid_team", "description": "The worker's team."}
    monkeypatch.setitem(PUNCH_RECORD["properties"], "team", extra)
    with pytest.raises(CommandError, match="stale"):
        call_command("device_api_doc", "--check", stdout=io.StringIO())
    call_command("device_api_doc", stdout=io.StringIO())
    written = (tmp_path / "docs" / "device-api.md").read_text(encoding="utf-8")
    assert "| `team` | no | The worker's team. | `invalid_team` |" in written
    assert written.count("A required field that is absent") == 1  # the prose around the table is kept


def test_a_page_without_its_markers_is_refused_with_a_reason(tmp_path, settings):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "device-api.md").write_text("# Device API\n\nno table here\n", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="lost its fields' markers"):
        call_command("device_api_doc", "--check", stdout=io.StringIO())
    assert (tmp_path / "docs" / "device-api.md").read_text(encoding="utf-8") == "# Device API\n\nno table here\n"
