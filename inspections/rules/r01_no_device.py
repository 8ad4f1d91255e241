"""R01 — project under construction without an attendance device (甬建函〔2023〕82号 三(一); 吉建管〔2021〕6号
三(一) "最迟配备时间不得晚于开工时间" and 附件1 item 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, RuleSpec

CODE = "R01"


@dataclass(frozen=True)
class ProjectDevices:
    project_id: int
    name: str
    start: dt.date  # the start in force (the permit's planned start, or an approved change's)
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
            evidence={"start": p.start.isoformat(), "devices_in_service": 0, "grace_days": grace_days},
        )
        for p in projects
        if p.devices_in_service == 0 and day >= p.start + dt.timedelta(days=grace_days)
    ]


def collect(ctx) -> list[Finding]:
    devices = ctx.devices_in_service()
    findings = []
    for project in ctx.active():
        findings += evaluate(
            [
                ProjectDevices(
                    project.pk, project.name, ctx.timelines[project.pk].start_on(ctx.day), len(devices[project.pk])
                )
            ],
            day=ctx.day,
            grace_days=ctx.policy(project.pk).r01_grace_days,
        )
    return findings


def describe(item) -> str:
    e = item.evidence
    return f"自{words.day(e.get('start'))}开工起，{words.day(item.period_end)}仍未配备在用的实名制考勤设备。"


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
    describe=describe,
    thresholds=("r01_grace_days",),
    note="自施工许可的拟开工日期起（经批准的开工日期变更自批准之日起生效）；项目未报实际开工不免除。",
)
