"""docs/rules.md is written from the registry and stays in step with it."""

from __future__ import annotations

import io
import pathlib

import pytest
from django.core.management import CommandError, call_command

from inspections.rules import registry
from inspections.rules.doc import rules_markdown

DOC = pathlib.Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def test_the_committed_page_is_the_registrys():
    assert DOC.read_text(encoding="utf-8") == rules_markdown(), "run `python manage.py rules_doc`"


def test_every_rule_has_its_row_with_title_source_and_ladder():
    text = rules_markdown()
    for spec in registry():
        row = next(line for line in text.splitlines() if line.startswith(f"| {spec.code} |"))
        assert spec.title in row and spec.source in row


def test_the_check_fails_on_a_stale_page(tmp_path, settings):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("old", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="stale"):
        call_command("rules_doc", "--check", stdout=io.StringIO())
    call_command("rules_doc", stdout=io.StringIO())
    call_command("rules_doc", "--check", stdout=io.StringIO())
