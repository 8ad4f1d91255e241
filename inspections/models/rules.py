from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.presets import DEFAULT
from projects.scope.queryset import ScopedModel


def key_positions() -> list[str]:
    """R11's key positions by default (a fresh list each time: a JSON default must not be shared)."""
    return list(DEFAULT["r11_key_positions"])


def _ratio(**kwargs):
    return models.DecimalField(
        max_digits=4, decimal_places=3, validators=[MinValueValidator(0), MaxValueValidator(1)], **kwargs
    )


class Policy(ScopedModel):
    """考核口径: every threshold of the rules, the valid-day options and the calendar settings.

    One platform-wide policy is in force at a time (`district` empty: the city's in a one-city
    deployment); a province, a city or a district may be given its own, which then applies to its
    projects (the nearest region's: a district's over its city's over its province's). Presets
    reproduce each notice (inspections.presets). Before `go_live`, findings are recorded but not scored
    (中山 2019 上线通知 四(四), trial period).
    """

    name = models.CharField(_("name"), max_length=100)
    preset = models.CharField(_("preset"), max_length=32, blank=True)
    district = models.OneToOneField(
        "projects.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy",
        help_text=_("Empty: the platform-wide policy. A province, a city or a district: its own policy."),
    )
    in_force = models.BooleanField(_("in force"), default=True)
    go_live = models.DateField(_("go-live date"), null=True, blank=True)
    # The construction-day calendar.
    count_sundays = models.BooleanField(_("Sundays are construction days"), default=DEFAULT["count_sundays"])
    count_holidays = models.BooleanField(
        _("statutory holidays are construction days"), default=DEFAULT["count_holidays"]
    )
    pm_stops_on_quality_notice = models.BooleanField(
        _("two stops of attendance: the project manager's ends on the quality supervision completion notice"),
        default=DEFAULT["pm_stops_on_quality_notice"],
        help_text=_(
            "Off: a stop of attendance ends everyone's. 中山: the others' end on the safety evaluation "
            "report, the project manager's only on the quality supervision completion notice."
        ),
    )
    manager_grace_days = models.PositiveIntegerField(
        _("manager attendance starts this many days after the planned start"), default=DEFAULT["manager_grace_days"]
    )
    # A valid day of attendance (有效考勤).
    valid_min_punches = models.PositiveIntegerField(
        _("valid day: at least this many punches"), default=DEFAULT["valid_min_punches"]
    )
    valid_requires_photo = models.BooleanField(
        _("valid day: only punches with a photo count"), default=DEFAULT["valid_requires_photo"]
    )
    valid_min_span_hours = models.DecimalField(
        _("valid day: first to last punch at least (hours)"),
        max_digits=4,
        decimal_places=1,
        default=DEFAULT["valid_min_span_hours"],
    )
    # Punches a rule finds false do not make a day attended (docs/rules.md): each a policy option.
    invalid_no_liveness = models.BooleanField(
        _("R06: a face punch without a passed liveness check does not count"), default=DEFAULT["invalid_no_liveness"]
    )
    invalid_forged = models.BooleanField(
        _("R07: a reused photo or an impossible journey does not count"), default=DEFAULT["invalid_forged"]
    )
    invalid_mobile = models.BooleanField(
        _("R08: a phone punch without a permit does not count"), default=DEFAULT["invalid_mobile"]
    )
    invalid_low_score = models.BooleanField(
        _("R09: a face below the match score does not count"), default=DEFAULT["invalid_low_score"]
    )
    invalid_elsewhere = models.BooleanField(
        _("R10: a manager's punch outside the project does not count"), default=DEFAULT["invalid_elsewhere"]
    )
    invalid_backfilled = models.BooleanField(
        _("R13: a punch back-filled while online does not count"), default=DEFAULT["invalid_backfilled"]
    )
    # Whether only projects within the real-name scope are judged and counted (中山 2019 上线通知 二: buildings
    # from 5000 m², municipal works from 10 million yuan; the thresholds are SMZ_SCOPE_MIN_*).
    scope_only = models.BooleanField(_("judge only projects within the real-name scope"), default=DEFAULT["scope_only"])
    # The rules' thresholds (docs/rules.md).
    r01_grace_days = models.PositiveIntegerField(
        _("R01: days after the actual start without a device"), default=DEFAULT["r01_grace_days"]
    )
    r02_docking_filed_before = models.DateField(
        _("R02: projects filed (施工报建) before this day may connect through a vendor's platform"),
        null=True,
        blank=True,
        help_text=_("Empty: direct connection everywhere (宁波). 中山: 2020-02-01."),
    )
    r03_offline_hours = models.PositiveIntegerField(
        _("R03: offline for more than (hours)"), default=DEFAULT["r03_offline_hours"]
    )
    r07_max_speed_kmh = models.PositiveIntegerField(
        _("R07: fastest travel between sites (km/h)"), default=DEFAULT["r07_max_speed_kmh"]
    )
    r08_municipal_tablets = models.BooleanField(
        _("R08: municipal works may punch on tablets with face and location"), default=DEFAULT["r08_municipal_tablets"]
    )
    card_verified_entry = models.BooleanField(
        _("R17: every entry verified by reading the ID card at the gate"),
        default=DEFAULT["card_verified_entry"],
        help_text=_(
            "杭州: a person on site whose entry no ID card read verified is a finding (二代身份证不校验，人员不进场)."
        ),
    )
    r09_min_match_score = _ratio(
        verbose_name=_("R09: lowest acceptable match score"), default=DEFAULT["r09_min_match_score"]
    )
    # Who is judged on attendance, by cohort (中山 2019 上线通知 四(一)–(三); inspections.cohorts).
    managers_filed_from = models.DateField(
        _("managers are judged on projects filed (施工报建) from this day"),
        null=True,
        blank=True,
        help_text=_("Empty: on every project. 中山: 2020-02-01 (earlier projects' managers attend on the old system)."),
    )
    managers_judged_roles = models.JSONField(
        _("managers are judged when their firm is one of"),
        default=list,
        blank=True,
        help_text=_(
            "Participant roles; empty: every firm's managers. 中山: the general contractor and the supervisor."
        ),
    )
    r11_key_positions = models.JSONField(
        _("R11: key positions"), default=key_positions, help_text=_("Positions held to the key threshold.")
    )
    r11_key_ratio = _ratio(verbose_name=_("R11: key positions' presence threshold"), default=DEFAULT["r11_key_ratio"])
    r11_other_ratio = _ratio(
        verbose_name=_("R11: other managers' presence threshold"), default=DEFAULT["r11_other_ratio"]
    )
    r12_silent_days = models.PositiveIntegerField(
        _("R12: consecutive construction days without attendance"), default=DEFAULT["r12_silent_days"]
    )
    # At least an hour: the intake marks the punches received an hour or more late for R13 to judge.
    r13_late_hours = models.PositiveIntegerField(
        _("R13: received later than (hours)"), default=DEFAULT["r13_late_hours"], validators=[MinValueValidator(1)]
    )
    r15_min_shortfall = models.PositiveIntegerField(
        _("R15: smallest shortfall that counts"), default=DEFAULT["r15_min_shortfall"]
    )
    r15_penalty_shortfall = models.PositiveIntegerField(
        _("R15: shortfall above which a penalty applies"), default=DEFAULT["r15_penalty_shortfall"]
    )
    r16_worker_rate = _ratio(
        verbose_name=_("R16: workers' attendance rate threshold"), default=DEFAULT["r16_worker_rate"]
    )
    wage_pay_day = models.PositiveSmallIntegerField(
        _("W1, W3: pay day (day of the following month; 0 = its last day)"),
        default=DEFAULT["wage_pay_day"],
        validators=[MaxValueValidator(28)],
        help_text=_("A month's wages are due by this day of the next month; 0: the last day of the next month."),
    )
    w5_deposit_months = models.PositiveSmallIntegerField(
        _("W5: months without a labour-cost deposit"),
        default=DEFAULT["w5_deposit_months"],
        validators=[MinValueValidator(1)],
    )
    w7_contract_days = models.PositiveSmallIntegerField(
        _("W7: days engaged without a labour contract"), default=DEFAULT["w7_contract_days"]
    )
    exit_requires_settlement = models.BooleanField(
        _("an exit needs the recorded wage settlement"),
        default=DEFAULT["exit_requires_settlement"],
        help_text=_("Off: an exit without settlement is allowed and flagged (W6); on: it is refused."),
    )
    wage_retention_years = models.PositiveSmallIntegerField(
        _("wage records kept after completion (years)"),
        default=DEFAULT["wage_retention_years"],
        validators=[MinValueValidator(1)],
        help_text=_("Seed 003 §三(五): 2 years after completion; the national measures: 3 years after settlement."),
    )
    complaint_days = models.PositiveSmallIntegerField(
        _("C1: days to handle a complaint"),
        default=DEFAULT["complaint_days"],
        db_default=DEFAULT["complaint_days"],
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A complaint not closed this many days after it was filed is overdue (rule C1)."),
    )
    # Changed through policy_change at least once: its versions (PolicyVersion) say what held on each day.
    versioned = models.BooleanField(_("has versions"), default=False, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What a policy is, not what it sets: never a setting of a version, never shown as one.
    NOT_SETTINGS = frozenset({"id", "name", "preset", "district", "in_force", "versioned", "updated_at"})

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=Q(district__isnull=True, in_force=True), name="policy_one_city_in_force"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def settings_fields(cls) -> list[models.Field]:
        """The fields a policy sets (the thresholds, options and calendar), in the model's order."""
        return [f for f in cls._meta.concrete_fields if f.name not in cls.NOT_SETTINGS]


class PolicyVersion(ScopedModel):
    """考核口径的版本: what a policy set from a day on, with who changed it and why.

    Each change through inspections.services.policies.policy_change records one, effective from a day
    no night has judged yet; the first change also records the values before it (`effective_from`
    empty: every day until the next version). The rules, the presence figures and the reports of a
    day read the version in force that day (inspections.selectors.policies), so a change never rewrites
    a night already judged, and a day judged again later is judged as it was.
    """

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    values = models.JSONField(_("settings"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy", "effective_from", "created_at"]

    def __str__(self) -> str:
        return f"{self.policy} {self.effective_from or '—'}"


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class Handling(models.TextChoices):
    """处置状态: where an alert stands with the regulators (inspections.selectors.handling computes it)."""

    OPEN = "open", _("To handle")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_CASE = "in_case", _("In a case")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


# States in which an alert still stands for its condition: a new finding with the same key updates it.
# A dismissed alert keeps its key, so the same subject and period never comes back.
LIVE_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.DISMISSED)


class Alert(ScopedModel):
    """预警: one rule finding about a project, for one ongoing condition (not one per night).

    `key` names the condition (rule, subject, period); re-runs and a continuing condition update the
    same row (`last_seen`, `period_end`); a condition that clears resolves it.
    """

    # The occurrence (subject key, and for a rule judged day by day the occurrence's first day).
    key = models.CharField(_("key"), max_length=220)
    # The condition (rule, project, subject, the period a period rule names): what a next night's finding
    # is matched against.
    subject_key = models.CharField(_("subject key"), max_length=200, default="")
    rule = models.CharField(_("rule"), max_length=3)
    # Indexed by alert_project_rule_state, whose first column it is.
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="alerts", db_index=False
    )
    subject_type = models.CharField(_("subject type"), max_length=16)
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    # A subject that is not a row (whose presence, which position): a field, never parsed from the key.
    subject_code = models.CharField(_("subject code"), max_length=32, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    evidence = models.JSONField(_("evidence"), default=dict)
    state = models.CharField(_("state"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    scored = models.BooleanField(_("scored"), default=True)
    first_detected = models.DateTimeField(_("first detected"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # alert_acknowledged_by: the few alerts a person acknowledged, not every alert's NULL
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # alert_dismissed_by, as acknowledged_by
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-last_seen", "-id"]
        # Every index is written again each time the night continues an alert (its period and last_seen, in
        # alert_unhandled_rows, change: no HOT update), ~100,000 a city's night: only those a query reads. Plain
        # indexes on rule and subject_key (no varchar_pattern_ops copy: nothing looks them up by prefix); the
        # project's is alert_project_rule_state; who acknowledged or dismissed an alert only where someone did
        # (a user's deletion is refused by PROTECT through them).
        indexes = [
            models.Index(fields=["project", "rule", "state"], name="alert_project_rule_state"),
            models.Index(fields=["rule"], name="alert_rule"),
            models.Index(fields=["subject_key"], name="alert_subject_key"),
            models.Index(
                fields=["acknowledged_by"], condition=Q(acknowledged_by__isnull=False), name="alert_acknowledged_by"
            ),
            models.Index(fields=["dismissed_by"], condition=Q(dismissed_by__isnull=False), name="alert_dismissed_by"),
            # The alerts still to handle, as the overview counts them and the triage groups them (by project,
            # rule and period, newest first): read from the index alone, not from a city's table of evidence.
            models.Index(
                fields=["project", "rule", "period_start", "period_end"],
                include=["state", "last_seen", "id"],
                condition=Q(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]),
                name="alert_unhandled_rows",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(state__in=LIVE_STATES), name="alert_one_live_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject} ({self.period_start}–{self.period_end})"

    @property
    def handling_label(self) -> str:
        """处置状态 as the queryset computed it (inspections.selectors.handling.with_handling)."""
        return str(Handling(self.handling).label)


class RuleRun(ScopedModel):
    """One evaluation of one rule for one day, with what it did (the nightly run's record)."""

    day = models.DateField(_("day"))
    # The part of the night's run that evaluated it (NightlyRun.part): empty for a run of the whole day.
    part = models.CharField(_("part of the run"), max_length=40, blank=True, default="")
    rule = models.CharField(_("rule"), max_length=3)
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    findings = models.PositiveIntegerField(_("findings"))
    new_alerts = models.PositiveIntegerField(_("new alerts"))
    updated_alerts = models.PositiveIntegerField(_("updated alerts"))
    resolved_alerts = models.PositiveIntegerField(_("resolved alerts"))

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-started_at", "rule"]

    def __str__(self) -> str:
        return f"{self.rule} {self.day}"


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


class NightlyRun(ScopedModel):
    """One day's run of the rules (夜间规则运行), or one part of it: who holds it, whether it finished.

    The row is the run's claim: a run takes it by a conditional update and keeps it alive with a
    heartbeat after each rule; another run of the same day is refused while the heartbeat is fresh,
    and takes the claim over once it is stale (its holder died). Portable: no database-specific lock.

    The day's own row has an empty `part`. A night fanned out over the workers (inspections.engine.fanout)
    adds a row per part, "<stage>:<district code>", each claimed, retried and completed on its own; the
    day's row is complete when every part is.
    """

    day = models.DateField(_("day"))
    part = models.CharField(_("part of the run"), max_length=40, blank=True, default="")
    unit = models.ForeignKey(
        "projects.Region", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=RunState.choices)
    token = models.CharField(_("claim token"), max_length=32)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started at"))
    heartbeat_at = models.DateTimeField(_("last heartbeat"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("nightly run")
        verbose_name_plural = _("nightly runs")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["day", "part"], name="nightlyrun_one_per_day_and_part")]

    def __str__(self) -> str:
        return f"{self.day} {self.part} {self.get_state_display()}".replace("  ", " ")


class ExportGrant(ScopedModel):
    """数据导出审批: who may export or read personal data in bulk, for what purpose, over which period,
    approved by the city (吉建管〔2021〕6号 五(三)). An export outside a grant is rule R14's finding."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="export_grants"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every project in the user's jurisdiction."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export grant")
        verbose_name_plural = _("export grants")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                name="exportgrant_period_in_order", condition=Q(valid_to__gte=models.F("valid_from"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.purpose}"
