from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportJobState(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportJob(models.Model):
    """A workbook generated in the background (a city-wide Annex 1 over a long period): the user who
    asked polls its status page and downloads it when ready; only that user may download it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("report"), max_length=32)
    params = models.JSONField(_("parameters"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE,
                             related_name="+")  # fmt: skip
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


class DistrictDay(models.Model):
    """每日统计: one district's figures for one day, rolled up each night for the dashboard's trends
    (a month of daily presence is millions of rows; the trend reads thirty of these)."""

    day = models.DateField(_("day"))
    district = models.ForeignKey("projects.Region", verbose_name=_("district"), on_delete=models.CASCADE,
                                 related_name="+")  # fmt: skip
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
