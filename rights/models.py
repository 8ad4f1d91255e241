"""维权告示牌 (seed 004 §二(六)): each site puts up a board "in a prominent place" making public what a
worker needs to defend his rights. The platform gives the board a public page at an unguessable address
(its QR code is printed on the board), which the district can revoke: the old address then answers 404
and the board is printed again with the new one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from projects.scope.queryset import ScopedModel


class RightsBoard(ScopedModel):
    """One address of a project's rights board; at most one is live (not revoked) per project."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="rights_boards"
    )
    token = models.CharField(_("address token"), max_length=64, unique=True, editable=False)
    contact_phone = models.CharField(
        _("labour clerk's phone"),
        max_length=20,
        blank=True,
        help_text=_("The phone of the general contractor's labour clerk (劳资专管员) printed on the board."),
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("rights board")
        verbose_name_plural = _("rights boards")
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(revoked_at__isnull=True), name="rightsboard_one_live_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.issued_at:%Y-%m-%d}"
