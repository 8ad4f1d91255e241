from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import EnterpriseKind
from projects.scope.queryset import ScopedModel


class Enterprise(ScopedModel):
    """企业: identified by its unified social credit code (统一社会信用代码, GB 32100).

    The kinds are flags rather than a list so that "all vendors" is an indexed query on every backend.
    """

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=128)
    is_owner = models.BooleanField(_("owner"), default=False)
    is_contractor = models.BooleanField(_("general contractor"), default=False)
    is_subcontractor = models.BooleanField(_("subcontractor"), default=False)
    is_supervisor = models.BooleanField(_("supervision firm"), default=False)
    is_vendor = models.BooleanField(_("device vendor"), default=False)
    # 建筑市场服务"黑名单" (甬建函〔2023〕82号 五(三)): set and lifted by the vendor-blacklist measure.
    blacklisted_on = models.DateField(_("blacklisted on"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> list[str]:
        return [kind for kind in EnterpriseKind.values if getattr(self, f"is_{kind}")]

    def has_kind(self, kind: str) -> bool:
        return bool(getattr(self, f"is_{kind}", False))
