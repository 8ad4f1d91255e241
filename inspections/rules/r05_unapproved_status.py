"""R05 — project status changed without approval (甬建函〔2023〕82号 三(五); 中山 2019 上线通知 三(八)–(十)):
a change of status or key dates in the history that no approved status request caused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec
from projects.models import ProjectStatusChange

CODE = "R05"


@dataclass(frozen=True)
class StatusChange:
    change_id: int
    project_id: int
    field: str
    old_value: str
    new_value: str
    changed_at: dt.datetime
    changed_by: str
    status_request_id: int | None


def evaluate(changes: list[StatusChange], *, day: dt.date) -> list[Finding]:
    return [
        Finding(
            CODE,
            c.project_id,
            "change",
            c.change_id,
            # What a regulator reads in the list: 停止考勤日期：空 → 2026年11月30日 (the key stays the pk).
            f"{FIELDS.get(c.field, '项目信息')}：{_value(c.old_value)} → {_value(c.new_value)}",
            day,
            day,
            evidence={
                "field": c.field,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "changed_at": c.changed_at.isoformat(),
                "changed_by": c.changed_by,
            },
        )
        for c in changes
        if c.status_request_id is None
    ]


def collect(ctx) -> list[Finding]:
    changes = [
        StatusChange(
            c.pk,
            c.project_id,
            c.field,
            c.old_value,
            c.new_value,
            c.changed_at,
            c.changed_by.username if c.changed_by else "",
            c.status_request_id,
        )
        for c in ProjectStatusChange.objects.filter(
            changed_at__gte=ctx.day_start, changed_at__lt=ctx.day_end
        ).select_related("changed_by")
    ]
    return evaluate(changes, day=ctx.day)


FIELDS = {
    "status": "项目状态",
    "planned_start": "计划开工日期",
    "actual_start": "实际开工日期",
    "completed_on": "竣工日期",
    "attendance_stopped_on": "停止考勤日期",
    "manager_attendance_stopped_on": "项目经理停止考勤日期",
}
STATUSES = {"not_started": "未开工", "active": "在建", "suspended": "停工", "completed": "完工"}


def _value(text: str) -> str:
    if STATUSES.get(text):
        return STATUSES[text]
    try:
        return words.day(dt.date.fromisoformat(text)) if text else "空"
    except ValueError:
        return text


def describe(item) -> str:
    e = item.evidence
    value = _value

    return (
        f"{FIELDS.get(e.get('field'), e.get('field', '项目信息'))}由“{value(e.get('old_value', ''))}”改为"
        f"“{value(e.get('new_value', ''))}”，没有经批准的申请（{e.get('changed_by') or '—'}，"
        f"{words.moment(e.get('changed_at'))}）。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="擅自更改项目状态",
    label=_("Project status changed without approval (擅自更改项目状态)"),
    title="擅自更改项目状态、逃避监管",
    source="甬建函〔2023〕82号 三(五)；中山 2019 上线通知 三(八)至(十)",
    category=5,
    annex1_row=None,
    occurrence=Occurrence.PERIOD,
    cadence=Cadence.NIGHTLY,
    resolves=False,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    note="状态历史中没有经批准申请的变更（例如在后台直接修改）。",
)
