"""专项整治行动 and 双随机抽查: campaigns with their phases, and reproducible random draws."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inspections.choices import CampaignPhase
from projects.scope.queryset import ScopedModel


class Campaign(ScopedModel):
    """专项整治行动 (甬建函〔2023〕82号 四): a period, its four phases and the districts that report."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    districts = models.ManyToManyField("projects.Region", verbose_name=_("districts"), related_name="campaigns")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(name="campaign_in_order", condition=Q(ends_on__gte=F("starts_on")))]

    def __str__(self) -> str:
        return self.name


class CampaignPhaseDates(ScopedModel):
    """One phase of a campaign and its dates."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(_("phase"), max_length=24, choices=CampaignPhase.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("campaign phase")
        verbose_name_plural = _("campaign phases")
        ordering = ["campaign", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phase"], name="campaignphase_once"),
            models.CheckConstraint(name="campaignphase_in_order", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.starts_on}–{self.ends_on}"


class RandomDraw(ScopedModel):
    """双随机抽查 (鄂建文〔2019〕27号 三(二)): N projects of a district drawn at random, weighted by their open
    findings. The seed and the candidates with their weights are recorded, so anyone can re-run the
    draw and get the same projects."""

    district = models.ForeignKey(
        "projects.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    size = models.PositiveIntegerField(_("projects drawn"))
    seed = models.CharField(_("seed"), max_length=64)
    candidates = models.JSONField(_("candidates and weights"))
    drawn = models.JSONField(_("projects drawn (permit numbers)"))
    # 双随机's second draw: the inspectors, from the pool of law-enforcement staff named for it, by the same
    # seed (so that the re-run gives the same people).
    inspector_pool = models.JSONField(_("inspector pool"), default=list, blank=True)
    inspectors = models.JSONField(_("inspectors drawn"), default=list, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"))
    # The page form's one-time token: the same submission sent twice (a double click, a refresh) is one
    # draw, never a second chance at other projects.
    request_token = models.UUIDField(_("request token"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.district} {self.drawn_at:%Y-%m-%d} ({self.size})"
