"""docs/rules.md, written from the rule registry (manage.py rules_doc; a test fails when it is stale)."""

from __future__ import annotations

from django.utils import translation

from inspections.choices import MeasureKind
from inspections.models import Policy
from inspections.presets import DEFAULT, PRESETS, SOURCES
from inspections.rules import registry
from inspections.rules.base import Cadence, RuleSpec, Target

NINGBO = "甬建函〔2023〕82号 三"
NUMERALS = "一二三四五六七八九十"
CADENCE = {
    Cadence.NIGHTLY: "每晚，判定前一日",
    Cadence.MONTH_END: "每月最后一日的夜间，判定整月",
    Cadence.AT_INSPECTION: "录入往日检查时即判定，并由当日夜间复核",
}
TARGET = {
    Target.CONTRACTOR: "施工总承包单位",
    Target.PROJECT_MANAGER: "项目经理",
    Target.SUBJECT: "被预警人员",
    Target.SUBJECT_EMPLOYER: "被预警人员所在单位",
}
POSITIONS = {"": "", "project_manager": "项目经理", "chief_supervisor": "项目总监", "other": "其他管理人员"}


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    return "十" + NUMERALS[n - 11]


def _measure(kind: str) -> str:
    with translation.override(None):
        return str(MeasureKind(kind).label).split("(")[-1].rstrip(")")


def _ladder(spec: RuleSpec) -> str:
    if not spec.ladder:
        return "无（指标，不升级）"
    if not any(spec.ladder.values()):
        return "无（不升级）"
    lines = []
    for position, steps in spec.ladder.items():
        text = "；".join(f"{_measure(s.kind)}（对象：{'、'.join(TARGET[t] for t in s.targets)}）" for s in steps)
        lines.append(f"{POSITIONS.get(position, position) + '：' if position else ''}{text}")
    return "<br>".join(lines)


def _verbose_name(name: str) -> str:
    """A policy setting's name in the current language (a setting is a concrete field)."""
    return str(Policy._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def _thresholds(spec: RuleSpec) -> str:
    if not spec.thresholds:
        return "—"
    parts = []
    for name in spec.thresholds:
        with translation.override(None):
            label = _verbose_name(name)
        value = DEFAULT[name]
        presets = [f"{key} {overrides[name]}" for key, (_title, overrides) in PRESETS.items() if name in overrides]
        parts.append(f"`{name}` {label}: {value}" + (f"（{'；'.join(presets)}）" if presets else ""))
    return "<br>".join(parts)


def rules_markdown() -> str:
    lines = [
        "# The rules (规则)",
        "",
        "Written by `python manage.py rules_doc` from the rule registry (`inspections/rules/`, one module a rule);",
        "`tests/inspections/rules/test_rules_doc.py` fails when this page and the registry disagree. To change a",
        "rule, open its module: its SPEC declares everything below.",
        "",
        "| code | finding (平台名称) | the notice's words | source | category | Annex 1 row | when judged | "
        "lifecycle | thresholds (default; presets) | after an overdue rectification order |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for spec in registry():
        category = f"{NINGBO}({_numeral(spec.category)})" if spec.category else "—（不属于整治内容十四类）"
        row = str(spec.annex1_row) if spec.annex1_row else "—"
        lifecycle = "条件消除即解除" if spec.resolves else "事件：留待人工处置"
        if spec.indicator:
            lifecycle += "；指标，不计入附件1、升级和信用"
        lines.append(
            f"| {spec.code} | {spec.name} | {spec.title} | {spec.source} | {category} | {row} | "
            f"{CADENCE[spec.cadence]} | {lifecycle} | {_thresholds(spec)} | {_ladder(spec)} |"
        )
    lines += ["", "## Notes", ""]
    lines += [f"- **{spec.code}** {spec.note}" for spec in registry() if spec.note]
    lines += _presets()
    return "\n".join(lines) + "\n"


def _presets() -> list[str]:
    """Each preset's values beside the default, with the clause of its notice that sets each one."""
    lines = ["", "## Presets", ""]
    lines += ["A preset reproduces its notice and nothing more: where the notice is silent it keeps the default.", ""]
    for key, (title, overrides) in PRESETS.items():
        lines.append(f"- **{title}** (`{key}`)" + ("：与默认口径相同。" if not overrides else ""))
        for name, value in overrides.items():
            with translation.override(None):
                label = _verbose_name(name)
            lines.append(f"  - `{name}` {label}: {value}（默认 {DEFAULT[name]}）— {SOURCES[key][name]}")
    return lines
