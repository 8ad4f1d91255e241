"""R01 — project under construction without an attendance device (甬建函〔2023〕82号 三(一); 吉建管〔2021〕6号
三(一) "最迟配备时间不得晚于开工时间" and 附件1 item 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.rules import ladders
from inspections.rules.base import Cadence, Finding, RuleSpec

CODE = "R01"


@dataclass(frozen=True)
class ProjectDevices:
    project_id: int
    name: str
    actual_start: dt.date
    devices_in_service: int


def evaluate(projects: list[ProjectDevices], *, day: dt.date, grace_days: int) -> list[Finding]:
    """`projects`: those for which `day` is a construction day."""
    return [
        Finding(
            CODE,
            p.project_id,
            "project",
            p.project_id,
            p.name,
            day,
            day,
            evidence={"actual_start": p.actual_start.isoformat(), "devices_in_service": 0, "grace_days": grace_days},
        )  # fmt: skip
        for p in projects
        if p.devices_in_service == 0 and day >= p.actual_start + dt.timedelta(days=grace_days)
    ]


def collect(ctx) -> list[Finding]:
    devices = ctx.devices_in_service()
    findings = []
    for project in ctx.active():
        findings += evaluate(
            [ProjectDevices(project.pk, project.name, project.actual_start, len(devices[project.pk]))],
            day=ctx.day, grace_days=ctx.policy(project.pk).r01_grace_days,
        )  # fmt: skip
    return findings


SPEC = RuleSpec(
    code=CODE,
    name="未按规定安装考勤设备",
    label=_("No attendance device installed (未按规定安装考勤设备)"),
    title="在建项目未按规定安装实名制考勤设备",
    source="甬建函〔2023〕82号 三(一)；吉建管〔2021〕6号 三(一)、附件1第1项",
    category=1,
    annex1_row=2,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.CHECKLIST,
    collect=collect,
    evaluate=evaluate,
    thresholds=("r01_grace_days",),
)
