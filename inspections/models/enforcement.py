"""查处: inspections and their findings, cases, measures, rectification replies, credit records."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inspections.choices import (
    CaseState,
    CreditBasis,
    InspectionKind,
    MeasureKind,
    MeasureState,
    ReplyState,
    finding_categories,
)
from projects.scope.queryset import ScopedModel
from smz_platform.common.dates import chinese_datetime

_USER = settings.AUTH_USER_MODEL


def _who(verbose: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(_USER, verbose_name=verbose, on_delete=models.PROTECT, related_name="+", **kwargs)


class Inspection(ScopedModel):
    """检查记录: an online patrol (线上巡查) or a site visit (线下检查) by district or city staff, or a
    supervision firm's own periodic check (杭建市发〔2016〕39号 四(五)). A site visit records the headcount of
    workers seen on site, which rule R15 compares with the day's attendance."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    day = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200, help_text=_("The names of those who inspected."))
    headcount = models.PositiveIntegerField(
        _("workers seen on site"), null=True, blank=True, help_text=_("Site visits: the workers counted on site.")
    )
    notes = models.TextField(_("notes"), blank=True)
    enterprise = models.ForeignKey(
        "projects.Enterprise",
        verbose_name=_("supervision firm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    campaign = models.ForeignKey(
        "inspections.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    draw = models.ForeignKey(
        "inspections.RandomDraw",
        verbose_name=_("random draw"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    recorded_by = _who(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["project", "day"], name="inspection_project_day")]
        constraints = [
            models.CheckConstraint(
                name="inspection_headcount_on_site",
                condition=Q(headcount__isnull=True) | ~Q(kind=InspectionKind.ONLINE_PATROL),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.project} {self.day}"


class Case(ScopedModel):
    """查处案件: what staff do about one project's findings: the alerts and inspection findings it
    gathers, and the measures taken."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN)
    alerts = models.ManyToManyField("inspections.Alert", verbose_name=_("alerts"), blank=True, related_name="cases")
    opened_by = _who(_("opened by"))
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = _who(_("closed by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.title}"


class InspectionFinding(ScopedModel):
    """检查发现的问题: one problem an inspection found, in the categories of 甬建函〔2023〕82号 三."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    category = models.CharField(_("category"), max_length=3, choices=finding_categories)
    description = models.TextField(_("description"))
    case = models.ForeignKey(
        Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return f"{self.category} {self.description[:40]}"


class DeviceTest(ScopedModel):
    """设备现场功能测试 (吉建管〔2021〕6号 三(四)): does the device refuse a printed photo and a video?"""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="device_tests"
    )
    device = models.ForeignKey("devices.Device", verbose_name=_("device"), on_delete=models.PROTECT, related_name="+")
    refuses_photo = models.BooleanField(_("refuses a photo"))
    refuses_video = models.BooleanField(_("refuses a video"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("device test")
        verbose_name_plural = _("device tests")
        constraints = [models.UniqueConstraint(fields=["inspection", "device"], name="devicetest_once_per_inspection")]

    def __str__(self) -> str:
        return f"{self.device} {'✓' if self.passed else '✗'}"

    @property
    def passed(self) -> bool:
        return self.refuses_photo and self.refuses_video


class InspectionPhoto(ScopedModel):
    """A photo taken on an inspection (JPEG or PNG)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to="inspections/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = _who(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.sha256[:12]


class Measure(ScopedModel):
    """处理措施: one measure of a case, from the ladder of 吉建管〔2021〕6号 附件1 and 甬建函〔2023〕82号 五(三).

    A measure the nightly escalation proposes starts `proposed` and stands only when staff confirm it.
    `basis` names the rule or finding category the measure answers: the escalation checks whether it
    still fires after the deadline.
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("kind"), max_length=20, choices=MeasureKind.choices)
    state = models.CharField(_("state"), max_length=16, choices=MeasureState.choices, default=MeasureState.ISSUED)
    basis = models.CharField(_("basis"), max_length=3, choices=finding_categories, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=128)
    document_no = models.CharField(_("document number"), max_length=64, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    points = models.PositiveIntegerField(_("credit points deducted"), null=True, blank=True)
    fine_yuan = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    target_enterprise = models.ForeignKey(
        "projects.Enterprise",
        verbose_name=_("enterprise concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    target_person = models.ForeignKey(
        "projects.Person",
        verbose_name=_("person concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    note = models.TextField(_("note"), blank=True)
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("escalated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    # Whom a proposal of the escalation is for (the subject of the finding that still failed).
    ladder_subject = models.CharField(_("escalated for"), max_length=200, blank=True, default="")
    created_by = _who(_("created by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    issued_by = _who(_("issued by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "state", "issued_on"], name="measure_kind_state_issued")]
        constraints = [
            models.CheckConstraint(
                name="measure_rectification_has_deadline",
                condition=~Q(kind__in=[MeasureKind.RECTIFICATION, MeasureKind.SUPERVISION_NOTICE])
                | Q(deadline__isnull=False),
            ),
            # The nightly escalation proposes each next measure once per overdue order and subject.
            models.UniqueConstraint(
                fields=["escalated_from", "kind", "ladder_subject"], name="measure_one_escalation_per_kind_and_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case.project}"


class RectificationReply(ScopedModel):
    """整改回复: the contractor's report answering an order, with attachments; staff accept or reject it."""

    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="replies")
    text = models.TextField(_("rectification report"))
    state = models.CharField(_("state"), max_length=16, choices=ReplyState.choices, default=ReplyState.SUBMITTED)
    submitted_by = _who(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = _who(_("reviewed by"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("rectification reply")
        verbose_name_plural = _("rectification replies")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.measure} · {self.get_state_display()}"


class MeasureDocument(ScopedModel):
    """A measure's document (the order, the penalty decision) or an attachment of a reply to it."""

    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="documents")
    reply = models.ForeignKey(
        RectificationReply,
        verbose_name=_("reply"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    file = models.FileField(_("file"), upload_to="measures/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = _who(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("measure document")
        verbose_name_plural = _("measure documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


CASE_EVENT_NAMES = {
    "opened": _("Case opened"),
    "attached": _("Alerts or findings attached"),
    "closed": _("Case closed"),
    "measure_issued": _("Measure issued"),
    "measure_proposed": _("Measure proposed by the escalation"),
    "measure_confirmed": _("Proposal confirmed"),
    "measure_withdrawn": _("Measure withdrawn"),
    "measure_escalated": _("Order overdue, escalated"),
    "measure_closed": _("Measure closed"),
    "reply_submitted": _("Rectification report submitted"),
    "reply_accepted": _("Rectification accepted"),
    "reply_rejected": _("Rectification rejected"),
}


class CaseEvent(ScopedModel):
    """流转记录: every change of a case, its measures and replies, with who (empty: the nightly task)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    by = _who(_("by"), null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{chinese_datetime(self.at)} {self.action_name}"

    @property
    def action_name(self) -> str:
        """What happened, in words (the case page, the admin, the history)."""
        return str(CASE_EVENT_NAMES.get(self.action, self.action))


class CreditDeduction(ScopedModel):
    """不良行为扣分标准: points deducted per finding category and per measure (configurable; forgery
    costs most, after Zhongshan's table, 中山 2019 上线通知 附件6)."""

    basis = models.CharField(_("basis"), max_length=10, choices=CreditBasis.choices)
    code = models.CharField(_("code"), max_length=20, help_text=_("A finding category (R07) or a measure kind."))
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("credit deduction")
        verbose_name_plural = _("credit deduction table")
        ordering = ["basis", "code"]
        constraints = [models.UniqueConstraint(fields=["basis", "code"], name="creditdeduction_one_per_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.points}"


class CreditRecord(ScopedModel):
    """诚信扣分 / 不良行为记录: points deducted from an enterprise or a key person by a measure. Records
    before the policy's go-live date are kept but not scored (中山 2019 上线通知 四(四))."""

    enterprise = models.ForeignKey(
        "projects.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    person = models.ForeignKey(
        "projects.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="credit_records"
    )
    day = models.DateField(_("date"))
    points = models.PositiveIntegerField(_("points"))
    scored = models.BooleanField(_("scored"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-day", "-id"]
        constraints = [
            models.CheckConstraint(
                name="creditrecord_has_subject", condition=Q(enterprise__isnull=False) | Q(person__isnull=False)
            ),
            models.UniqueConstraint(fields=["measure", "enterprise", "person"], name="creditrecord_once_per_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise or self.person} −{self.points}"
