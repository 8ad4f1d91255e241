from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.choices import ParticipantRole, ProjectKind, ProjectStatus, StatusOnDay
from projects.scope.queryset import ScopedModel

# The fields whose every change is recorded in ProjectStatusChange (rule R05 reads that history).
TRACKED_FIELDS = (
    "status",
    "planned_start",
    "actual_start",
    "completed_on",
    "attendance_stopped_on",
    "manager_attendance_stopped_on",
)


class Project(ScopedModel):
    """工程项目, identified by its construction permit number (施工许可证编号).

    Its status and dates change only through approved status requests (projects.services.status);
    any other change, e.g. in the admin, is still recorded in the history, without a request: that
    is the evidence of rule R05.
    """

    permit_no = models.CharField(_("permit number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        "projects.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="projects"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ProjectKind.choices)
    building_area_m2 = models.DecimalField(_("building area (m²)"), max_digits=12, decimal_places=2, default=0)
    contract_cost_yuan = models.DecimalField(_("contract cost (yuan)"), max_digits=16, decimal_places=2, default=0)
    # 施工报建: the filing precedes the permit. Zhongshan judges by it who attends on the platform (中山 2019
    # 上线通知 四(二)–(三)): inspections.cohorts.
    filed_on = models.DateField(_("construction filing (施工报建) completed on"), null=True, blank=True)
    permitted_on = models.DateField(_("construction permit issued on"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    attendance_stopped_on = models.DateField(_("attendance stopped on"), null=True, blank=True)
    # Where the policy has two stops (中山 2019 上线通知 三(十二)), the project manager's own, on the quality
    # supervision completion notice (工程现场施工质量监督任务完成告知书): inspections.calendar.position_timeline.
    manager_attendance_stopped_on = models.DateField(
        _("the project manager's attendance stopped on"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.NOT_STARTED, db_index=True
    )
    required_positions = models.JSONField(_("required positions"), default=list, blank=True)
    address = models.CharField(_("site address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
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
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["permit_no"]
        constraints = [
            models.CheckConstraint(
                name="project_completion_after_start",
                condition=models.Q(completed_on__isnull=True)
                | models.Q(actual_start__isnull=True)
                | models.Q(completed_on__gte=models.F("actual_start")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.permit_no})"

    def save(self, *args, status_request=None, changed_by=None, **kwargs) -> None:
        """Save, and record every change of a tracked field with the request that caused it (if any)."""
        from projects.models.status import ProjectStatusChange

        before = getattr(self, "_tracked", None)
        super().save(*args, **kwargs)
        after = {f: getattr(self, f) for f in TRACKED_FIELDS}
        if before is not None:
            changes = [
                ProjectStatusChange(
                    project=self,
                    field=f,
                    old_value=_as_text(before.get(f)),
                    new_value=_as_text(after[f]),
                    status_request=status_request,
                    changed_by=changed_by,
                )
                for f in TRACKED_FIELDS
                if f in before and before[f] != after[f]
            ]
            ProjectStatusChange.objects.bulk_create(changes)
        self._tracked = after

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._tracked = {f: getattr(instance, f) for f in TRACKED_FIELDS if f in field_names}
        return instance

    @property
    def status_today_label(self) -> str:
        """The status on the day the queryset asked about (``projects.selectors.with_status_on`` annotates
        ``status_today``), for pages; the recorded ``status`` is the last approval's, not the day's."""
        return str(StatusOnDay(self.status_today).label)

    @property
    def in_scope(self) -> bool:
        """Within the real-name scope (中山 2019 上线通知 二): buildings ≥ 5000 m², municipal works ≥ 10M yuan."""
        if self.kind == ProjectKind.MUNICIPAL:
            return Decimal(self.contract_cost_yuan) >= Decimal(settings.SMZ_SCOPE_MIN_MUNICIPAL_COST_YUAN)
        if self.kind == ProjectKind.BUILDING:
            return Decimal(self.building_area_m2) >= Decimal(settings.SMZ_SCOPE_MIN_BUILDING_AREA_M2)
        return True


def _as_text(value) -> str:
    return "" if value is None else str(value)


class ProjectParticipant(ScopedModel):
    """参建单位: an enterprise taking part in a project in one role (owner, contractor, …)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="participants"
    )
    enterprise = models.ForeignKey(
        "projects.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=16, choices=ParticipantRole.choices)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["project", "enterprise", "role"], name="participant_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_role_display()}"
