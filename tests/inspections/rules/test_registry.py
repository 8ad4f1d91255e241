"""The rule registry: every rule module declares every part of its rule, and everything that needs to
know about rules reads the registry (no second list anywhere)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import pathlib
import re
from types import SimpleNamespace

import pytest

from inspections.models import Policy
from inspections.rules import annex1_rows, codes, registry, rule
from inspections.rules.base import Cadence, Occurrence, RuleSpec, Step, Target

ROOT = pathlib.Path(__file__).resolve().parents[3]
POLICY_FIELDS = {f.name for f in Policy._meta.get_fields()}


def missing_parts(spec: RuleSpec) -> list[str]:
    """What a rule's declaration lacks (an empty list when it is complete)."""
    problems = []
    if not re.fullmatch(r"R\d\d|W\d|C\d", spec.code or ""):
        problems.append("code")
    for text in ("name", "title", "source"):
        if not str(getattr(spec, text) or "").strip():
            problems.append(text)
    if not str(spec.label or "").strip():
        problems.append("label")
    if not isinstance(spec.category, int) or not 0 <= spec.category <= 14:
        problems.append("category")
    if spec.annex1_row is not None and spec.annex1_row not in (2, 3, 4):
        problems.append("annex1_row")
    if spec.cadence not in tuple(Cadence):
        problems.append("cadence")
    if not isinstance(spec.resolves, bool):
        problems.append("resolves")
    if (
        not isinstance(spec.ladder, dict)
        or "" not in spec.ladder
        or not all(
            isinstance(step, Step) and step.targets and all(t in Target for t in step.targets)
            for steps in spec.ladder.values()
            for step in steps
        )
    ):
        problems.append("ladder")
    for part in ("collect", "evaluate"):
        function = getattr(spec, part)
        if not callable(function) or getattr(function, "__module__", "") != _module_of(spec):
            problems.append(part)
    if callable(spec.collect) and "ctx" not in inspect.signature(spec.collect).parameters:
        problems.append("collect")
    if not set(spec.thresholds) <= POLICY_FIELDS:
        problems.append("thresholds")
    if spec.invalidates and spec.invalidates not in POLICY_FIELDS:
        problems.append("invalidates")
    if spec.occurrence not in tuple(Occurrence):
        problems.append("occurrence")
    sample = SimpleNamespace(
        evidence={},
        subject="某某",
        subject_code="",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
    )
    if not callable(spec.describe) or not isinstance(spec.describe(sample), str):
        problems.append("describe")
    return problems


# Where each family of rules lives: the notices' R01–R17 in inspections, the wage rules W1–W7 in the app that
# holds the wage records (gathered through WagesConfig.rule_package), the complaint rule C1 in rights.
FOLDERS = {"R": ROOT / "inspections" / "rules", "W": ROOT / "wages" / "rules", "C": ROOT / "rights" / "rules"}
CODES = [f"R{n:02d}" for n in range(1, 18)] + [f"W{n}" for n in range(1, 8)] + ["C1"]


def _module_of(spec: RuleSpec) -> str:
    folder = FOLDERS[spec.code[0]]
    stem = next(p.stem for p in folder.glob(f"{spec.code[0].lower()}{spec.code[1:]}_*.py"))
    return f"{folder.parent.name}.rules.{stem}"


def test_every_rule_of_the_notices_is_declared_once_in_code_order():
    assert codes() == tuple(CODES)
    modules = sorted(p.stem for p in FOLDERS["R"].glob("r[0-9][0-9]_*.py"))
    modules += sorted(p.stem for p in FOLDERS["W"].glob("w[0-9]_*.py"))
    modules += sorted(p.stem for p in FOLDERS["C"].glob("c[0-9]_*.py"))
    assert [m.split("_")[0].upper() for m in modules] == list(codes())


def test_the_registry_gathers_the_rule_package_of_an_app():
    from django.apps import apps

    assert apps.get_app_config("wages").rule_package == "wages.rules"
    assert {spec.code for spec in registry() if spec.collect.__module__.startswith("wages.rules.")} == {
        f"W{n}" for n in range(1, 8)
    }


@pytest.mark.parametrize("code", CODES)
def test_each_rule_declares_every_part(code):
    spec = rule(code)
    assert missing_parts(spec) == []
    assert importlib.import_module(_module_of(spec)).SPEC is spec


@pytest.mark.parametrize(
    "part",
    [
        "name",
        "title",
        "source",
        "label",
        "category",
        "cadence",
        "resolves",
        "ladder",
        "collect",
        "evaluate",
        "thresholds",
        "invalidates",
        "occurrence",
        "describe",
    ],
)
def test_the_check_fails_when_a_part_is_removed(part):
    spec = rule("R09")
    broken = {
        "category": 99,
        "cadence": "whenever",
        "resolves": None,
        "ladder": None,
        "collect": None,
        "evaluate": len,
        "thresholds": ("no_such_policy_field",),
        "invalidates": "no_such_option",
        "occurrence": "sometimes",
        "describe": None,
    }.get(part, "")
    assert part in missing_parts(dataclasses.replace(spec, **{part: broken}))


def test_annex1_rows_come_from_the_rules_as_the_notice_groups_them():
    # Row 2 also counts R15 (workers on site without attendance), row 3 also R10 (a manager's punches
    # outside the project are false records); R16 is a target, on no row.
    assert annex1_rows() == {
        2: ("R01", "R03", "R11", "R12", "R15"),
        3: ("R07", "R09", "R10", "R13"),
        4: ("R02", "R06", "R08"),
    }


def test_month_end_rules_and_events_are_declared_not_listed():
    assert {s.code for s in registry() if s.cadence == Cadence.MONTH_END} == {"R11", "R16"}
    assert {s.code for s in registry() if not s.resolves} == {"R05", "R07", "R11", "R14", "R15", "R16", "W4"}


def test_no_second_list_of_rules_remains_in_the_code():
    pattern = re.compile(r"\b(EVENT_RULES|MONTHLY_RULES|FINDING_ROWS|FINDING_RULES|RULE_NAMES|LADDER)\b")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("inspections", "reports", "projects", "devices", "attendance", "smz_platform", "wages")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []
