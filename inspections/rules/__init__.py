"""The rules R01–R17, one module each (`rNN_<name>.py`): its pure `evaluate`, the set-based `collect`
that feeds it, and its SPEC, the one declaration of everything the platform knows about the rule.

The registry gathers the SPEC of every rule module, in code order. Adding a rule is adding a module:
the nightly run, the alert lifecycle, the escalation ladder, Annex 1, the pages, the admin and
docs/rules.md pick it up from here. An app above this one that judges its own records (wages: W1–W7)
names its package of rule modules as `rule_package` on its AppConfig, and the registry gathers those
too (as Django's admin gathers each app's admin module), so that the rules stay one list while the
app's records stay above the rules that read them.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from django.apps import apps

from inspections.rules.base import Cadence, Finding, RuleSpec

MODULE = re.compile(r"^[rwc]\d+_[a-z0-9_]+$")
SERIES = "RWC"  # the rules first, then the wage rules (W), then the rights rules (C)


def packages() -> list[str]:
    """The packages whose rule modules the registry gathers: this one, then each app's `rule_package`."""
    return [__name__] + [
        package for config in apps.get_app_configs() if (package := getattr(config, "rule_package", None))
    ]


@cache
def registry() -> tuple[RuleSpec, ...]:
    """Every rule's SPEC, in code order."""
    specs = []
    for package in packages():
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            if MODULE.match(module.name):
                specs.append(importlib.import_module(f"{package}.{module.name}").SPEC)
    return tuple(sorted(specs, key=_order))


def _order(spec: RuleSpec) -> tuple[int, int]:
    """R01 … R17, then W1 … W7, then C1 (numbers as numbers, so that W10 would follow W9)."""
    return (SERIES.index(spec.code[0]), int(spec.code[1:]))


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
