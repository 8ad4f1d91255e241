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
from smz_platform.common import pii
from smz_platform.common.fields import EncryptedTextField


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


class CodePurpose(models.TextChoices):
    WORKER = "worker", _("a worker signs in")
    COMPLAINANT = "complainant", _("a complainant gives a phone")


class OneTimeCode(ScopedModel):
    """短信验证码: one code asked for, kept as a keyed digest (never the code), with its tries. A code is asked
    for a *number* (an ID number signing in, a phone named on a complaint; its digest is `subject`): a row is
    written whether or not the number is engaged, so that the rate limits and the answer are the same for a
    number the platform holds and one it does not."""

    purpose = models.CharField(_("purpose"), max_length=12, choices=CodePurpose.choices)
    subject = models.CharField(_("number (digest)"), max_length=64, db_index=True)
    phone_digest = models.CharField(_("phone sent to (digest)"), max_length=64, blank=True, db_index=True)
    # The worker the code signs in, when the number and name were his (None: nothing was sent).
    person = models.ForeignKey(
        "projects.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    salt = models.CharField(_("salt"), max_length=32)
    code_digest = models.CharField(_("code (digest)"), max_length=64)
    address = models.CharField(_("client address (digest)"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("asked at"), db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ComplaintKind(models.TextChoices):
    WAGES = "wages", _("wages owed (拖欠工资)")
    NO_CONTRACT = "no_contract", _("no labour contract (未签劳动合同)")
    UNREGISTERED = "unregistered", _("working unregistered (未实名登记上岗)")
    ATTENDANCE = "attendance", _("attendance falsified (考勤造假)")
    SAFETY = "safety", _("safety (安全隐患)")
    OTHER = "other", _("other (其他)")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("received (待处理)")
    REPLIED = "replied", _("replied (已答复)")
    CLOSED = "closed", _("closed (已办结)")


class ComplaintSource(models.TextChoices):
    BOARD = "board", _("a rights board")
    PUBLIC = "public", _("the public site")
    SETTLEMENT = "settlement", _("a worker disputing his exit settlement")


class Complaint(ScopedModel):
    """举报投诉 (seed 004 §二(三)): about a project, filed by anyone from its rights board or the public site, named
    or anonymous; handled by the project's district within the policy's days (C1 finds it overdue). A complaint
    about wages names the firm, and counts in the firm's integrity information (诚信信息)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(_("kind"), max_length=16, choices=ComplaintKind.choices)
    text = models.TextField(_("what happened"))
    enterprise = models.ForeignKey(
        "projects.Enterprise",
        verbose_name=_("firm complained of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    source = models.CharField(_("filed from"), max_length=12, choices=ComplaintSource.choices)
    name = models.CharField(_("complainant's name"), max_length=64, blank=True)
    phone_encrypted = EncryptedTextField(_("complainant's phone (encrypted)"), purpose=pii.PHONE, blank=True)
    phone_masked = models.CharField(_("complainant's phone"), max_length=16, blank=True)
    # The worker who disputed his settlement (signed in with his code): his engagement.
    engagement = models.ForeignKey(
        "projects.Engagement",
        verbose_name=_("engagement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True, editable=False)
    address = models.CharField(_("client address (digest)"), max_length=64, db_index=True)
    filed_at = models.DateTimeField(_("filed at"), db_index=True)
    deadline = models.DateField(_("handle by"))
    state = models.CharField(_("state"), max_length=10, choices=ComplaintState.choices, default=ComplaintState.RECEIVED)
    case = models.ForeignKey(
        "inspections.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    upheld = models.BooleanField(_("found true"), null=True, blank=True)
    closing_reason = models.TextField(_("closing reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["project", "state"], name="complaint_project_state")]
        constraints = [
            models.CheckConstraint(
                name="complaint_closed_has_reason",
                condition=~Q(state="closed") | (Q(closed_at__isnull=False) & Q(upheld__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.get_kind_display()}"

    def reveal_phone(self) -> str:
        return pii.decrypt_as(self.phone_encrypted, pii.PHONE) if self.phone_encrypted else ""


class ComplaintPhoto(ScopedModel):
    """A photo sent with a complaint (up to three; JPEG or PNG, checked by its bytes and stored encrypted)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to="complaints/%Y/%m/")
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")
        ordering = ["complaint", "id"]

    def __str__(self) -> str:
        return self.sha256[:12]


class ComplaintReply(ScopedModel):
    """What the district answers the complainant (he reads it with his tracking code), or notes for itself."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="replies"
    )
    text = models.TextField(_("reply"))
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("complaint reply")
        verbose_name_plural = _("complaint replies")
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
