"""R17 — on site without an ID card check at entry (杭建市发〔2016〕39号 三, 四(三)–(五), 五(一)1
"二代身份证不校验，人员不进场"): under a policy that asks for it, a person present on a construction day
whose entry no read of his ID card at the gate verified.

A read verifies the engagement it falls in when it is an entry read of a card valid that day whose
number is the engaged person's (attendance.services). A read received later than R13's limit after it
was made verifies the entry only from the day it was received: a card read written into the past
covers no day before anyone saw it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from attendance.models import DailyPresence
from inspections.rules import ladders
from inspections.rules.base import Cadence, Finding, RuleSpec
from projects.models import Engagement

CODE = "R17"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_NAMES = 20


@dataclass(frozen=True)
class OnSite:
    """A person present on the day judged, and his entry's card read (None: never read)."""

    name: str
    read_at: dt.datetime | None
    received_at: dt.datetime | None


@dataclass(frozen=True)
class CardChecks:
    project_id: int
    name: str
    late_hours: int  # the policy's R13 limit: a read received later verifies from its receipt
    present: tuple[OnSite, ...]


def verified_from(read_at: dt.datetime | None, received_at: dt.datetime | None, late_hours: int) -> dt.date | None:
    """The first day a card read verifies: its own day, or the day it was received when it came late."""
    if read_at is None or received_at is None:
        return None
    at = received_at if received_at - read_at > dt.timedelta(hours=late_hours) else read_at
    return at.astimezone(SHANGHAI).date()


def evaluate(projects: list[CardChecks], *, day: dt.date) -> list[Finding]:
    """One finding per project with anyone present whose entry no card read verified by the day."""
    findings = []
    for p in projects:
        unread, late = [], []
        for person in p.present:
            start = verified_from(person.read_at, person.received_at, p.late_hours)
            if start is None:
                unread.append(person.name)
            elif start > day:
                late.append(person.name)
        if unread or late:
            names = sorted(unread + late)
            findings.append(
                Finding(
                    CODE,
                    p.project_id,
                    "project",
                    p.project_id,
                    f"{p.name}（未经身份证校验进场）",
                    day,
                    day,
                    evidence={
                        "persons": len(names),
                        "never_read": len(unread),
                        "read_late": len(late),
                        "names": names[:MAX_NAMES],
                    },
                    period_key="card",
                )
            )
    return findings


def collect(ctx) -> list[Finding]:
    judged = {p.pk: p for p in ctx.active() if ctx.policy(p.pk).card_verified_entry}
    if not judged:
        return []
    present = DailyPresence.objects.filter(
        project_id=OuterRef("project_id"), person_id=OuterRef("person_id"), day=ctx.day
    )
    people = defaultdict(list)
    for project_id, name, read_at, received_at in (
        Engagement.objects.filter(ctx.engaged_on_day(), project_id__in=judged)
        .filter(Exists(present))
        .values_list("project_id", "person__name", "card_checked_at", "card_check_received_at")
    ):
        people[project_id].append(OnSite(name, read_at, received_at))
    return evaluate(
        [
            CardChecks(pk, judged[pk].name, ctx.policy(pk).r13_late_hours, tuple(on_site))
            for pk, on_site in people.items()
        ],
        day=ctx.day,
    )


def describe(item) -> str:
    e = item.evidence
    names = "、".join(e.get("names", []))
    text = f"当日有{e.get('persons', 0)}人在场，其进场未经二代身份证阅读器读卡校验"
    text += f"（{names}{'等' if e.get('persons', 0) > len(e.get('names', [])) else ''}）。" if names else "。"
    if e.get("read_late"):
        text += f"其中{e['read_late']}人的读卡记录事后补传，自平台收到之日起方视为已校验。"
    return text


SPEC = RuleSpec(
    code=CODE,
    name="未经身份证校验进场",
    label=_("On site without an ID card check (未经身份证校验进场)"),
    title="对进、出工程项目现场的人员统一使用二代身份证阅读器进行校验后，方可同意其进、出工程项目现场；"
    "二代身份证不校验，人员不进场",
    source="杭建市发〔2016〕39号 三、四(三)–(五)、五(一)1",
    category=0,
    annex1_row=None,
    cadence=Cadence.NIGHTLY,
    resolves=True,
    ladder=ladders.HANGZHOU,
    collect=collect,
    evaluate=evaluate,
    describe=describe,
    thresholds=("card_verified_entry", "r13_late_hours"),
    note="仅在考核口径要求读卡校验进场时判定（杭州口径）。进场读卡须为当日有效的证件、且号码为该进场登记人员本人；"
    "超过R13时限补传的读卡记录自收到之日起方视为已校验。",
)
