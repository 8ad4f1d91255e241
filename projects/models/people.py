from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from projects.choices import Category, Gender
from projects.scope.queryset import ScopedModel
from smz_platform.common import pii
from smz_platform.common.fields import EncryptedTextField


class Person(ScopedModel):
    """人员: one natural person, identified by the resident ID number (公民身份号码).

    The number itself is never stored in clear text: `id_number_encrypted` holds it under Fernet,
    `id_number_digest` (keyed HMAC, unique) finds it again, and `id_number_masked` is what every
    screen shows. Gender and birth year are derived from the number (never the birth date: with the
    masked number it would give the whole number back).
    """

    id_number_encrypted = EncryptedTextField(_("ID number (encrypted)"), editable=False)
    id_number_digest = models.CharField(_("ID number lookup hash"), max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    id_number_warnings = models.JSONField(_("ID number warnings"), default=list, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, editable=False)
    # Only the year: the masked number hides the eight birth-date digits, so the date would restore it.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    id_issuer = models.CharField(_("issuing authority"), max_length=64, blank=True)
    id_valid_from = models.DateField(_("ID valid from"), null=True, blank=True)
    id_valid_to = models.DateField(_("ID valid to"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=32, blank=True)
    skill_level = models.CharField(_("skill level"), max_length=32, blank=True)
    certificates = models.TextField(_("certificates"), blank=True)
    safety_trained_on = models.DateField(_("safety training on"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        permissions = [("view_full_id_number", _("Can see full ID numbers"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    def age_on(self, day) -> int:
        """Age in whole years on `day`, to within one (only the birth year is kept)."""
        return day.year - self.birth_year

    def reveal_id_number(self) -> str:
        """The clear number. Callers must hold the permission and write the audit log (services)."""
        return pii.decrypt(self.id_number_encrypted)


class Engagement(ScopedModel):
    """进场登记: one person engaged on one project by one employer, from entry to exit.

    A person has at most one open engagement per project (the partial unique index); exiting needs
    the settlement confirmation (退场确认书, 中山 2019 上线通知 三(五)).
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="engagements")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="engagements"
    )
    employer = models.ForeignKey(
        "projects.Enterprise", verbose_name=_("employer"), on_delete=models.PROTECT, related_name="engagements"
    )
    category = models.CharField(_("category"), max_length=8, choices=Category.choices)
    position = models.CharField(_("position"), max_length=32, blank=True)
    team = models.CharField(_("team"), max_length=64, blank=True)
    trade = models.CharField(_("trade"), max_length=32, blank=True)
    # The worker's own mobile, registered with the engagement: his one-time codes go there (rights/). Encrypted,
    # shown masked; empty for registrations that gave none (he then cannot sign in until it is added).
    phone_encrypted = EncryptedTextField(
        _("mobile (encrypted)"), purpose=pii.PHONE, blank=True, default="", db_default="", editable=False
    )
    phone_masked = models.CharField(_("mobile"), max_length=16, blank=True, default="", db_default="", editable=False)
    entered_on = models.DateField(_("entered on"))
    contract_signed_on = models.DateField(_("labour contract signed on"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    settlement_confirmed = models.BooleanField(_("settlement confirmed"), default=False)
    # A replacement holder of a required position is held to attendance from the switch, not from
    # its registration (中山 2019 上线通知 三(十一)): empty for everyone else (from the entry).
    judged_from = models.DateField(_("held to attendance from"), null=True, blank=True)
    # The entry verified by reading the person's ID card at the gate (杭建市发〔2016〕39号 三, 五(一)1
    # "二代身份证不校验，人员不进场"): the first valid read of the engaged number, when the device made it and
    # when the platform received it (a read sent late verifies the entry only from its receipt; rule R17).
    card_checked_at = models.DateTimeField(_("ID card read at the gate at"), null=True, blank=True)
    card_check_received_at = models.DateTimeField(_("ID card read received at"), null=True, blank=True)
    card_valid_until = models.DateField(
        _("ID card valid until"), null=True, blank=True, help_text=_("Empty with a read: valid for life (长期).")
    )
    exit_recorded_at = models.DateTimeField(_("exit recorded at"), null=True, blank=True)
    exit_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exit recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["project", "-entered_on", "id"]
        indexes = [models.Index(fields=["project", "category"], name="engagement_project_category")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "project"],
                condition=Q(exited_on__isnull=True),
                name="engagement_one_open_per_project",
            ),
            models.CheckConstraint(
                name="engagement_exit_not_before_entry",
                condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("entered_on")),
            ),
            models.CheckConstraint(
                name="engagement_position_only_for_managers",
                condition=Q(category=Category.MANAGER) | Q(position=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.project.permit_no}"

    def reveal_phone(self) -> str:
        return pii.decrypt_as(self.phone_encrypted, pii.PHONE) if self.phone_encrypted else ""


class IdentityConflict(ScopedModel):
    """身份信息冲突: a registration offered an ID number that the platform holds under another name — a
    typing error, or a borrowed or forged identity (冒用身份证). The account that offered it is told
    no name (the refusal must not answer who holds a number); the district of the project sees it on
    its dashboard and reviews it.
    """

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="identity_conflicts"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("holder of the number"), on_delete=models.PROTECT, related_name="identity_conflicts"
    )
    offered_name = models.CharField(_("name offered"), max_length=64)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("offered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("identity conflict")
        verbose_name_plural = _("identity conflicts")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.offered_name}"
