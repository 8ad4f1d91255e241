"""R14 — personal data exported without approval (甬建函〔2023〕82号 三(十四) "未经主管部门同意擅自外传";
吉建管〔2021〕6号 五(三)): an enterprise's or a vendor's account (or their integrations' tokens) that exported
personal data or read full ID numbers without an approved export grant covering the day, counted per
person revealed. The regulators' own downloads are audited, never findings: the rule is about data
leaving for third parties. The finding is on the project whose data left."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inspections.models import ExportGrant
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, Occurrence, RuleSpec
from projects.scope.accounts import firm_accounts_q
from smz_platform.common.models import AuditAction, AuditEvent

CODE = "R14"


@dataclass(frozen=True)
class DataRelease:
    event_id: int
    project_id: int
    user_id: int | None
    username: str
    what: str
    records: int
    at: dt.datetime
    granted: bool


def evaluate(releases: list[DataRelease], *, day: dt.date) -> list[Finding]:
    return [
        Finding(
            CODE,
            r.project_id,
            "audit",
            r.event_id,
            f"{r.username}：{r.what}",
            day,
            day,
            evidence={
                "user": r.username,
                "what": r.what,
                "records": r.records,
                "persons": r.records,
                "at": r.at.isoformat(),
            },
        )
        for r in releases
        if not r.granted
    ]


def collect(ctx) -> list[Finding]:
    projects = {p.permit_no: p.pk for p in ctx.projects.values()}
    events = AuditEvent.objects.filter(
        firm_accounts_q("user__"),
        at__gte=ctx.day_start,
        at__lt=ctx.day_end,
        action__in=[AuditAction.EXPORT, AuditAction.VIEW_UNMASKED],
    )
    grants = defaultdict(list)
    for user_id, project_id in ExportGrant.objects.filter(valid_from__lte=ctx.day, valid_to__gte=ctx.day).values_list(
        "user_id", "project_id"
    ):
        grants[user_id].append(project_id)
    releases = [
        DataRelease(
            e.pk,
            projects[e.project_permit_no],
            e.user_id,
            e.username,
            e.what,
            e.record_count,
            e.at,
            granted=any(g is None or g == projects[e.project_permit_no] for g in grants.get(e.user_id, [])),
        )
        for e in events
        if e.project_permit_no in projects
    ]
    return evaluate(releases, day=ctx.day)


def describe(item) -> str:
    e = item.evidence
    return (
        f"账号{e.get('user', '—')}于{words.moment(e.get('at'))}{e.get('what', '导出数据')}，涉及"
        f"{e.get('persons', e.get('records', 0))}人的个人信息，未经主管部门数据导出审批。"
    )


SPEC = RuleSpec(
    code=CODE,
    name="数据擅自外传",
    label=_("Attendance data released without approval (数据擅自外传)"),
    title="存在实名制考勤数据未经主管部门同意擅自外传现象",
    source="甬建函〔2023〕82号 三(十四)；吉建管〔2021〕6号 五(三)",
    category=14,
    annex1_row=None,
    occurrence=Occurrence.PERIOD,
    cadence=Cadence.NIGHTLY,
    resolves=False,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    note="企业、服务商账号（及其接口令牌）导出个人信息或查看完整身份证号，且没有有效的数据导出审批，按涉及人数计；监管人员自己的下载只记入审计日志。",
)
