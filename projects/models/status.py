from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import AttachmentKind, StatusRequestKind, StatusRequestState
from projects.scope.queryset import ScopedModel


class StatusRequest(ScopedModel):
    """状态变更申请: start-date change, suspension, resumption, stop attendance, completion, and the
    permits for mobile attendance (手机考勤) and platform docking (平台对接), with two-level approval
    (中山 2019 上线通知 三(八)–(十二)). Nothing changes until the city approves: attendance stays required
    while a request is pending.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="status_requests"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=StatusRequestKind.choices)
    reason = models.TextField(_("reason"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    vendor = models.ForeignKey(
        "projects.Enterprise",
        verbose_name=_("vendor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For platform docking: whose platform the devices connect through."),
    )
    # A replacement of the holder of a required position (人员变更): the position, who holds it, who is
    # to hold it, and the day the switch happened (the new holder's first attended day after approval).
    position = models.CharField(_("position"), max_length=32, blank=True)
    replaced = models.ForeignKey(
        "projects.Engagement",
        verbose_name=_("holder replaced"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replacement = models.ForeignKey(
        "projects.Engagement",
        verbose_name=_("new holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    switched_on = models.DateField(_("switched on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=StatusRequestState.choices, default=StatusRequestState.PENDING_DISTRICT
    )
    # When an approved request changes the project: the later of the requested date and the final
    # approval (中山 2019 上线通知 三(九): "在整个申请流程未完成审批前，请现场岗位人员照常考勤"), unless the
    # city approved it as of the requested date (`retroactive`, recorded with the city's decision).
    takes_effect_on = models.DateField(_("takes effect on"), null=True, blank=True)
    retroactive = models.BooleanField(_("approved as of the requested date"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    district_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("district decision by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district_decided_at = models.DateTimeField(_("district decision at"), null=True, blank=True)
    district_comment = models.TextField(_("district comment"), blank=True)
    city_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("city decision by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    city_decided_at = models.DateTimeField(_("city decision at"), null=True, blank=True)
    city_comment = models.TextField(_("city comment"), blank=True)

    class Meta:
        verbose_name = _("status request")
        verbose_name_plural = _("status requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["project", "kind", "state"], name="statusrequest_project_kind")]
        constraints = [
            models.CheckConstraint(
                name="statusrequest_period_in_order",
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.project.permit_no} · {self.get_state_display()}"


class StatusRequestAttachment(ScopedModel):
    """An attachment of a status request: the stamped form scan, dated site photos, a report.

    Stored through Django's storage API under a private path; served only to authorised users.
    """

    status_request = models.ForeignKey(
        StatusRequest, verbose_name=_("status request"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="status-requests/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ProjectStatusChange(ScopedModel):
    """One change of a project's status or key dates, with the approved request that caused it.

    A row without a request is a change made outside the approval workflow: rule R05's evidence.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="status_changes"
    )
    field = models.CharField(_("field"), max_length=32)
    old_value = models.CharField(_("old value"), max_length=32, blank=True)
    new_value = models.CharField(_("new value"), max_length=32, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_request = models.ForeignKey(
        StatusRequest,
        verbose_name=_("status request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["project", "changed_at"], name="statuschange_project_time")]

    def __str__(self) -> str:
        return f"{self.project.permit_no} {self.field_name}：{self.old_value or '—'} → {self.new_value or '—'}"

    @staticmethod
    def name_of(field: str) -> str:
        """The project's field a change touched, by its name (实际开工日期), not its column (actual_start)."""
        from projects.models import Project

        try:
            return str(Project._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            return field

    @property
    def field_name(self) -> str:
        return self.name_of(self.field)

    @property
    def approved(self) -> bool:
        return self.status_request_id is not None
