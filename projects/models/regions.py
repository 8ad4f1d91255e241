from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import CodeTable, RegionLevel
from projects.scope.queryset import ScopedModel
from smz_platform.common.phones import phone_validator


class Region(ScopedModel):
    """行政区划: the city, its districts (区、县、市、开发园区) and optional towns, by GB/T 2260 code."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # 监督投诉电话: printed on every rights board of the region's projects (the nearest region's that has one;
    # none: 12345, the government service hotline that takes wage complaints everywhere).
    complaint_phone = models.CharField(
        _("complaint phone"),
        max_length=20,
        blank=True,
        default="",
        db_default="",  # rows written by SQL (a bulk load, the benchmarks' COPY) need not name it
        help_text=_("The regulator's phone for workers' complaints, printed on the rights boards."),
        validators=[phone_validator],
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ReferenceCode(ScopedModel):
    """An entry of one of the national standard's code tables, kept as data the city can extend.

    `code` is what the API speaks (e.g. work type "020", position "project_manager"); `national_code`
    is the standard's own code where it differs (participant type "contractor" → "009").
    """

    table = models.CharField(_("table"), max_length=32, choices=CodeTable.choices)
    code = models.CharField(_("code"), max_length=32)
    national_code = models.CharField(_("national code"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=64)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reference code")
        verbose_name_plural = _("reference codes")
        ordering = ["table", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="referencecode_unique_per_table")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
