"""R04 — project personnel not all registered (甬建函〔2023〕82号 三(四); 鄂建文〔2019〕27号 一(七)): a required
position without an engaged manager, a participating contractor, subcontractor or supervision firm
with nobody engaged, or punches from ID numbers not engaged on the project."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from attendance.models import Punch
from inspections.rules import ladders, words
from inspections.rules.base import Cadence, Finding, RuleSpec
from projects.choices import Category, ParticipantRole
from projects.models import Engagement, ProjectParticipant

CODE = "R04"


@dataclass(frozen=True)
class Registration:
    project_id: int
    name: str
    required_positions: tuple[str, ...]
    filled_positions: frozenset[str]
    # Participating firms that should have staff on site: (enterprise id, name, engaged count).
    firms: tuple[tuple[int, str, int], ...]
    unregistered_punches: int
    unregistered_numbers: tuple[str, ...] = ()  # masked


def evaluate(projects: list[Registration], *, day: dt.date, positions: dict[str, str] | None = None) -> list[Finding]:
    """`positions`: the position codes' names (总监理工程师), for the subject a regulator reads."""
    findings = []
    names = positions or {}
    for p in projects:
        for position in p.required_positions:
            if position not in p.filled_positions:
                findings.append(
                    Finding(
                        CODE,
                        p.project_id,
                        "position",
                        None,
                        f"{names.get(position, '管理人员')}（无人进场登记）",
                        day,
                        day,
                        evidence={"required_position": position},
                        period_key=f"position:{position}",
                        subject_code=position,
                    )
                )
        for firm_id, firm, engaged in p.firms:
            if engaged == 0:
                findings.append(
                    Finding(
                        CODE,
                        p.project_id,
                        "enterprise",
                        firm_id,
                        firm,
                        day,
                        day,
                        evidence={"enterprise": firm, "engaged": 0},
                    )
                )
        if p.unregistered_punches:
            findings.append(
                Finding(
                    CODE,
                    p.project_id,
                    "project",
                    p.project_id,
                    f"{p.name}（未登记人员考勤）",
                    day,
                    day,
                    evidence={"punches": p.unregistered_punches, "id_numbers": list(p.unregistered_numbers)},
                    period_key="unregistered",
                )
            )
    return findings


def collect(ctx) -> list[Finding]:
    active = {p.pk: p for p in ctx.active()}
    engagements = Engagement.objects.filter(ctx.engaged_on_day(), project_id__in=active)
    filled = defaultdict(set)
    for project_id, position in engagements.filter(category=Category.MANAGER).values_list("project_id", "position"):
        filled[project_id].add(position)
    staff: defaultdict[tuple[int, int], int] = defaultdict(int)
    for project_id, employer_id in engagements.values_list("project_id", "employer_id"):
        staff[(project_id, employer_id)] += 1
    firms = defaultdict(list)
    for project_id, enterprise_id, name in (
        ProjectParticipant.objects.filter(
            project_id__in=active,
            role__in=[ParticipantRole.CONTRACTOR, ParticipantRole.SUBCONTRACTOR, ParticipantRole.SUPERVISOR],
        )
        .values_list("project_id", "enterprise_id", "enterprise__name")
        .distinct()
    ):
        firms[project_id].append((enterprise_id, name, staff[(project_id, enterprise_id)]))
    unregistered = defaultdict(list)
    for project_id, masked in Punch.objects.filter(
        project_id__in=active, flag_unregistered=True, punched_at__gte=ctx.day_start, punched_at__lt=ctx.day_end
    ).values_list("project_id", "id_number_masked"):
        unregistered[project_id].append(masked)
    return evaluate(
        [
            Registration(
                pk,
                p.name,
                tuple(p.required_positions),
                frozenset(filled[pk]),
                tuple(firms[pk]),
                len(unregistered[pk]),
                tuple(sorted(set(unregistered[pk]))[:20]),
            )
            for pk, p in active.items()
        ],
        day=ctx.day,
        positions=ctx.position_names(),
    )


def describe(item) -> str:
    e = item.evidence
    if "required_position" in e:
        return f"施工许可载明的岗位“{words.position_name(e['required_position'])}”无人进场登记。"
    if "enterprise" in e:
        return f"参建单位{e['enterprise']}没有任何人员进场登记。"
    return f"当日有{e.get('punches', 0)}条考勤来自未在本项目登记的人员。"


SPEC = RuleSpec(
    code=CODE,
    name="人员未全部纳入实名制管理",
    label=_("Staff not registered (人员未全部纳入实名制管理)"),
    title="施工单位、监理单位、分包单位等项目人员未全部纳入实名制管理",
    source="甬建函〔2023〕82号 三(四)；鄂建文〔2019〕27号 一(七)",
    category=4,
    annex1_row=None,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.STOP_WORK_AND_PENALTY,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    note="许可证载明的岗位无人登记、参建单位无人登记，或未登记人员在本项目考勤。",
)
