"""What a rule is: one frozen declaration (RuleSpec) beside its pure `evaluate`, and the findings it
returns. The registry (inspections.rules) gathers every rule module's SPEC; the nightly run, the alert
lifecycle, the escalation ladder, Annex 1, the pages, the admin and docs/rules.md read it and nothing
else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from inspections.choices import MeasureKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class FalsePunch:
    """A punch a finding shows to be false: it is kept, but does not make a day attended."""

    punch_id: int
    punched_at: dt.datetime
    person_id: int | None
    project_id: int
    reason: str


@dataclass(frozen=True)
class Finding:
    rule: str
    project_id: int
    subject_type: str  # project | device | engagement | change | position | enterprise | photo | person | …
    subject_id: int | None
    subject: str  # what a reader sees: a device serial, a person's name and position, …
    period_start: dt.date
    period_end: dt.date
    evidence: dict = field(default_factory=dict, compare=False, hash=False)
    # The condition's name: by default rule and subject; a rule whose findings are periods (a month,
    # a streak) adds the period, so each period is its own alert.
    period_key: str = ""
    # A subject that is not a row: whose presence (workers / managers), which position. Stored on the
    # alert as a field, so that nothing ever parses it back out of the key.
    subject_code: str = ""
    # The punches this finding shows to be false (rules that invalidate punches).
    false_punches: tuple[FalsePunch, ...] = field(default=(), compare=False, hash=False)

    @property
    def key(self) -> str:
        parts = [self.rule, str(self.project_id), self.subject_type, str(self.subject_id or "")]
        return ":".join(parts + ([self.period_key] if self.period_key else []))


class Cadence(StrEnum):
    """When a rule judges."""

    NIGHTLY = "nightly"  # every night, for the day before
    MONTH_END = "month_end"  # the night of a month's last day, for the whole month
    AT_INSPECTION = "at_inspection"  # when an inspection of a past day is recorded, and by that day's night


class Occurrence(StrEnum):
    """What one alert of the rule stands for."""

    RUN = "run"  # the condition on consecutive construction days: after a gap, a new alert
    PERIOD = "period"  # the period or event the finding names (a month, a streak, a change, a visit)


class Target(StrEnum):
    """Whom a measure of the ladder falls on."""

    CONTRACTOR = "contractor"  # the project's general contractor (施工企业)
    PROJECT_MANAGER = "project_manager"  # the project manager (项目经理)
    SUBJECT = "subject"  # the person the finding is about (e.g. the chief supervisor)
    SUBJECT_EMPLOYER = "subject_employer"  # the employer of that person (e.g. the supervision firm)


@dataclass(frozen=True)
class Step:
    """One measure the ladder proposes, and whom it falls on."""

    kind: MeasureKind
    targets: tuple[Target, ...] = (Target.CONTRACTOR,)


@dataclass(frozen=True)
class RuleSpec:
    """Everything the platform knows about one rule, declared once beside it."""

    code: str  # R01 … R17
    name: str  # the short Chinese name of the finding, as workbooks and pages label it
    label: StrOrPromise  # the same for the interface's language (a lazy translation; the choices' label)
    title: str  # the notice's own words (Chinese), as docs/rules.md prints it
    source: str  # the notices and sections it comes from, by their own numbers
    # The category of 甬建函〔2023〕82号 三 (整治内容 一 to 十四) the finding belongs to; 0 for none.
    category: int
    annex1_row: int | None  # the row of Annex 1 that counts it (2–4), or None
    cadence: Cadence
    # True: the alert resolves when the condition clears. False: the finding is an event (a past act,
    # a closed period) and stands until staff act.
    resolves: bool
    # The measures proposed after an overdue rectification order (吉建管〔2021〕6号 附件1); by the
    # position of the finding's subject where the checklist distinguishes them, else under "".
    ladder: Mapping[str, tuple[Step, ...]]
    collect: Callable  # (Context) -> list[Finding]: the set-based selector that feeds evaluate
    evaluate: Callable  # the pure judgement
    thresholds: tuple[str, ...] = ()  # the policy fields the rule reads
    occurrence: Occurrence = Occurrence.RUN
    # The policy option under which the punches the rule finds false do not count ("" for none).
    invalidates: str = ""
    # The finding (or its alert) as a Chinese sentence: evidence, subject and period in the regulators'
    # words (Annex 2, the pages). Takes anything with evidence, subject, subject_code and the period.
    describe: Callable | None = None
    indicator: bool = False  # a target shown per project and district, not a violation
    # Reads every project's punches to judge one (a photo reused anywhere, a journey between sites): a
    # fanned-out night judges it once for the whole day, in a part of its own (inspections.engine.fanout).
    across_projects: bool = False
    note: str = ""  # what a reader of docs/rules.md should know beyond the title

    def ladder_for(self, position: str = "") -> tuple[Step, ...]:
        ladder = self.ladder or {}
        return ladder.get(position, ladder.get("", ()))
