"""docs/access.md, written from the one scope's table (manage.py access_matrix; a test fails when stale):
for every model and action, which rows each kind of account reaches, and each kind's capabilities."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from projects.scope.core import KIND_NAMES, Kind
from projects.scope.table import ADMIN_ACTIONS, CAPABILITIES, RULES, Access, Rule

COLUMNS = (Kind.OPERATOR, Kind.PROVINCE, Kind.CITY, Kind.DISTRICT, Kind.ENTERPRISE, Kind.VENDOR)
NONE = "—"


def _cell(access: Access, kind: Kind) -> str:
    if kind is Kind.OPERATOR:
        return "全部" if access.operator else NONE
    reaches = access.reaches.get(kind, ())
    return "；或".join(reach.words_for(kind) for reach in reaches) or NONE


def _model_name(rule: Rule) -> str:
    try:
        verbose = str(apps.get_model(rule.label)._meta.verbose_name)
    except LookupError:
        verbose = rule.label
    return f"{rule.name}（`{rule.label}`，{verbose}）"


def _table(rule: Rule) -> list[str]:
    header = "| 操作 | " + " | ".join(KIND_NAMES[k] for k in COLUMNS) + " |"
    lines = [header, "|" + " --- |" * (len(COLUMNS) + 1)]
    for name, access in rule.actions.items():
        row = [f"{access.words}（`{name}`）", *(_cell(access, k).replace("|", "／") for k in COLUMNS)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def access_markdown() -> str:
    with translation.override("zh-hans"):
        out = [
            "# 谁可以看、可以做什么 — who may see and do what",
            "",
            "Generated from `projects/scope/table.py` by `python manage.py access_matrix`; a test fails when this",
            "page and the table differ. Every page, API route, admin page, report, search and export asks the",
            "one scope (`projects.scope`) these questions, and nothing else reads an account's role",
            "(`scripts/check_scope.py`, run by `make lint`).",
            "",
            "Each cell is the rows of the model that kind of account reaches for the action (their union where",
            "several are listed); — is none. A row outside what an account reads is not there for it (404); a",
            "row it reads but may not act on is refused (403). The operator (`createsuperuser`) reads every row",
            "and administers the platform; the regulators' and the firms' acts are theirs alone. "
            f"Admin pages: an action of {', '.join(f'`{a}`' for a in sorted(ADMIN_ACTIONS))} a model does not list",
            "is the operator's alone; a setting's page (regions, code tables, deductions, policies) opens for those",
            "who may change it.",
            "",
            "## 账号类别 (kinds of account)",
            "",
            "| 类别 | 辖区 |",
            "| --- | --- |",
            "| 运营方（超级管理员） | 平台运营；读全部，管理设置、区划与账号，不代行监管或企业的任何操作 |",
            "| 省住建厅 | 本省各市（`region`：省）；只读，另管理本省各市区划与辖区内账号 |",
            "| 市住建局 | 本市各区县（`region`：市；未指定：单城市部署的全平台） |",
            "| 区县住建局 | 本区县（`district`） |",
            "| 企业 | 本企业参与的项目，身份随项目（建设、总包、分包、监理） |",
            "| 设备供应商 | 本企业运维的设备及其服务的项目 |",
            "",
            "## 能力 (capabilities of a kind, no row involved)",
            "",
            "| 能力 | " + " | ".join(KIND_NAMES[k] for k in COLUMNS) + " |",
            "|" + " --- |" * (len(COLUMNS) + 1),
        ]
        for name, capability in CAPABILITIES.items():
            cells = [
                ("✓" if capability.operator else NONE)
                if k is Kind.OPERATOR
                else ("✓" if k in capability.kinds else NONE)
                for k in COLUMNS
            ]
            out.append(f"| {capability.words}（`{name}`） | " + " | ".join(cells) + " |")
        out += ["", "## 数据与操作 (models and actions)", ""]
        for rule in RULES.values():
            out += [f"### {_model_name(rule)}", ""]
            if rule.setting:
                out += ["设置：其管理页面仅对可修改者开放。", ""]
            out += _table(rule) if rule.actions else ["仅运营方（平台内部记录）。"]
            out.append("")
    return "\n".join(out).rstrip() + "\n"
