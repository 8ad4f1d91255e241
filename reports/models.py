from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.choices import CampaignPhase
from projects.scope.queryset import ScopedModel


class ReportJobState(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportJob(ScopedModel):
    """A workbook generated in the background (a city-wide Annex 1 over a long period): the user who
    asked polls its status page and downloads it when ready; only that user may download it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("report"), max_length=32)
    params = models.JSONField(_("parameters"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=ReportJobState.choices, default=ReportJobState.PENDING)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M} ({self.state})"


class DistrictDay(ScopedModel):
    """每日统计: one district's figures for one day, rolled up each night for the dashboard's trends
    (a month of daily presence is millions of rows; the trend reads thirty of these)."""

    day = models.DateField(_("day"))
    district = models.ForeignKey(
        "projects.Region", verbose_name=_("district"), on_delete=models.CASCADE, related_name="+"
    )
    active_projects = models.PositiveIntegerField(_("projects under construction"), default=0)
    people_on_site = models.PositiveIntegerField(_("people on site"), default=0)
    alerts = models.PositiveIntegerField(_("alerts standing that day"), default=0)
    devices_offline = models.PositiveIntegerField(_("devices offline over the limit"), default=0)
    managers_judged = models.PositiveIntegerField(_("managers judged (month to date)"), default=0)
    managers_passed = models.PositiveIntegerField(_("managers passing (month to date)"), default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("district day")
        verbose_name_plural = _("district days")
        ordering = ["day", "district"]
        constraints = [models.UniqueConstraint(fields=["day", "district"], name="districtday_once")]

    def __str__(self) -> str:
        return f"{self.district} {self.day}"


class SubmissionKind(models.TextChoices):
    """What a district files to the city in a campaign (甬建函〔2023〕82号 四(二), 四(四))."""

    ANNEX1 = "annex1", _("Annex 1: results of the campaign (查处情况统计表)")
    ANNEX2 = "annex2", _("Annex 2: typical negative case (负面典型案例)")


# The phase by whose end each workbook is due (甬建函〔2023〕82号 四(二): Annex 1 by the end of the local
# inspection, 10 June; 四(四): the typical negative cases by the end of the summary phase, 30 June).
DUE_AT_END_OF: dict[str, str] = {
    SubmissionKind.ANNEX1: CampaignPhase.LOCAL_INSPECTION,
    SubmissionKind.ANNEX2: CampaignPhase.SUMMARY,
}


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft (待报送)")
    SUBMITTED = "submitted", _("Submitted (已报送)")


class Submission(ScopedModel):
    """报送: a district's workbook for a campaign, as prepared and then as filed.

    A draft may be prepared again from the data of the moment; once submitted, the row is a frozen
    snapshot (who, when, the exact file by its SHA-256, its figures, a signature over them) that a
    database trigger keeps from being changed or deleted. A correction is a new version; the old one
    stays on record."""

    campaign = models.ForeignKey(
        "inspections.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="submissions"
    )
    district = models.ForeignKey(
        "projects.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("report"), max_length=8, choices=SubmissionKind.choices)
    case = models.ForeignKey(
        "inspections.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    state = models.CharField(_("state"), max_length=12, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateField(_("deadline"))
    file = models.FileField(_("file"), upload_to="submissions/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    figures = models.JSONField(_("figures"), default=dict)
    prepared_at = models.DateTimeField(_("prepared at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signature = models.CharField(_("signature"), max_length=128, blank=True)
    correction_note = models.TextField(_("what the correction changes"), blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["campaign_id", "district_id", "kind", "case_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "district", "kind", "case", "version"],
                nulls_distinct=False,
                name="submission_version_once",
            ),
            # One draft at a time: preparing again replaces it, it does not pile up.
            models.UniqueConstraint(
                fields=["campaign", "district", "kind", "case"],
                nulls_distinct=False,
                condition=models.Q(state="draft"),
                name="submission_one_draft",
            ),
            models.CheckConstraint(
                name="submission_kind_case",
                condition=models.Q(kind="annex1", case__isnull=True) | models.Q(kind="annex2", case__isnull=False),
            ),
            models.CheckConstraint(
                name="submission_signed_off",
                condition=models.Q(state="draft") | models.Q(submitted_at__isnull=False, submitted_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.get_kind_display()} v{self.version} ({self.get_state_display()})"
