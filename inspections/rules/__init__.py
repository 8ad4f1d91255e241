"""The rules R01–R17, one module each (`rNN_<name>.py`): its pure `evaluate`, the set-based `collect`
that feeds it, and its SPEC, the one declaration of everything the platform knows about the rule.

The registry gathers the SPEC of every rule module, in code order. Adding a rule is adding a module:
the nightly run, the alert lifecycle, the escalation ladder, Annex 1, the pages, the admin and
docs/rules.md pick it up from here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from inspections.rules.base import Cadence, Finding, RuleSpec

MODULE = re.compile(r"^r(\d\d)_[a-z0-9_]+$")


@cache
def registry() -> tuple[RuleSpec, ...]:
    """Every rule's SPEC, in code order."""
    specs = []
    for module in pkgutil.iter_modules(__path__):
        if MODULE.match(module.name):
            specs.append(importlib.import_module(f"{__name__}.{module.name}").SPEC)
    return tuple(sorted(specs, key=lambda spec: spec.code))


def rule(code: str) -> RuleSpec:
    """The SPEC of `code` (KeyError for an unknown code)."""
    for spec in registry():
        if spec.code == code:
            return spec
    raise KeyError(code)


def codes() -> tuple[str, ...]:
    return tuple(spec.code for spec in registry())


def annex1_rows() -> dict[int, tuple[str, ...]]:
    """Annex 1's finding rows and the rules each counts."""
    rows: dict[int, list[str]] = {}
    for spec in registry():
        if spec.annex1_row is not None:
            rows.setdefault(spec.annex1_row, []).append(spec.code)
    return {row: tuple(rules) for row, rules in sorted(rows.items())}


def titles() -> dict[str, str]:
    return {spec.code: spec.title for spec in registry()}


__all__ = ["Cadence", "Finding", "RuleSpec", "annex1_rows", "codes", "registry", "rule", "titles"]
