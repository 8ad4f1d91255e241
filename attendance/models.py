from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from attendance.choices import Direction, Method
from projects.scope.queryset import ScopedModel
from smz_platform.common.fields import EncryptedTextField


class Punch(ScopedModel):
    """考勤记录: one punch as a device saw it, kept for the record even when it does not count.

    On PostgreSQL the table is partitioned by month of `punched_at` (attendance.partitions), with a
    primary key of (id, punched_at) as partitioning requires; idempotency lives in PunchKey, since a
    unique index on a partitioned table would have to include the punch time. The ID number is kept
    as its lookup digest and masked form; the encrypted number only when no person is linked (the evidence
    of rule R04). A punch is linked to a person only through an engagement on its device's project: any
    other number is an unregistered person there, shown masked, never by name.
    """

    # No database-level foreign keys on this append-only fact table: the intake reads every reference
    # in the same request, and FK triggers would cost three index probes per punch at commit.
    device = models.ForeignKey(
        "devices.Device", verbose_name=_("device"), on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    person = models.ForeignKey(
        "projects.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    record_id = models.CharField(_("device record id"), max_length=64)
    id_number_digest = models.CharField(_("ID number lookup hash"), max_length=64)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    id_number_encrypted = EncryptedTextField(_("ID number (encrypted)"), blank=True)
    punched_at = models.DateTimeField(_("punched at"))
    received_at = models.DateTimeField(_("received at"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    liveness = models.BooleanField(_("liveness check passed"), null=True, blank=True)
    match_score = models.FloatField(_("match score"), null=True, blank=True)
    photo_sha256 = models.CharField(_("photo SHA-256"), max_length=64, blank=True)
    photo_stored = models.BooleanField(_("photo stored"), default=False)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    # The device's liveness check did not refuse it; whether it counts is attendance.verdicts' answer.
    valid = models.BooleanField(_("accepted by the device"), default=True)
    flag_unregistered = models.BooleanField(_("person not engaged on the project"), default=False)
    flag_mobile = models.BooleanField(_("mobile punch"), default=False)
    flag_no_liveness = models.BooleanField(_("no liveness check"), default=False)
    # Received more than an hour after it was made: rule R13 judges these against the policy's limit.
    flag_late = models.BooleanField(_("received long after the punch"), default=False)

    class Meta:
        verbose_name = _("punch")
        verbose_name_plural = _("punches")
        ordering = ["-punched_at"]
        indexes = [
            models.Index(fields=["project", "punched_at"], name="punch_project_time"),
            # One ID number's punches across sites (R07's moves, R10's managers elsewhere): by its digest, since
            # a punch on a site where the holder is not engaged is linked to no person there.
            models.Index(fields=["id_number_digest", "punched_at"], name="punch_digest_time"),
            # Rule R07: the same photo on different punches.
            models.Index(fields=["photo_sha256"], condition=~models.Q(photo_sha256=""), name="punch_photo"),
            # The rare flags the nightly rules look for (R04, R06, R08, R13): small partial indexes.
            models.Index(fields=["punched_at"], condition=models.Q(flag_unregistered=True), name="punch_unregistered"),
            models.Index(fields=["punched_at"], condition=models.Q(flag_no_liveness=True), name="punch_no_liveness"),
            models.Index(fields=["punched_at"], condition=models.Q(flag_mobile=True), name="punch_mobile"),
            models.Index(fields=["received_at"], condition=models.Q(flag_late=True), name="punch_late"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.record_id}"


class PunchKey(ScopedModel):
    """The idempotency key of a punch: a device's own record id, whatever else the record says."""

    pk = models.CompositePrimaryKey("device_id", "record_id")
    device = models.ForeignKey("devices.Device", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    record_id = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("punch key")
        verbose_name_plural = _("punch keys")

    def __str__(self) -> str:
        return f"{self.device_id}:{self.record_id}"


class DailyPresence(ScopedModel):
    """每日出勤: one person on one project on one day (Asia/Shanghai), kept up to date by every accepted
    batch. Every attendance rule reads this table, never the raw punches."""

    person = models.ForeignKey(
        "projects.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="presence"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="presence"
    )
    day = models.DateField(_("day"))
    first_at = models.DateTimeField(_("first punch"))
    last_at = models.DateTimeField(_("last punch"))
    punch_count = models.PositiveIntegerField(_("punches"))
    valid_count = models.PositiveIntegerField(_("valid punches"))
    # Valid punches that carry a photo: a policy may count only those (the Zhongshan preset: 中山 2019 上线通知).
    photo_count = models.PositiveIntegerField(_("valid punches with a photo"), default=0, db_default=0)
    first_valid_at = models.DateTimeField(_("first valid punch"), null=True, blank=True)
    last_valid_at = models.DateTimeField(_("last valid punch"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily presence")
        verbose_name_plural = _("daily presence")
        ordering = ["project", "day", "person"]
        # presence_day: the dashboard's "people on site today" and the nightly roll-up read one day at a time.
        indexes = [
            models.Index(fields=["project", "day"], name="presence_project_day"),
            models.Index(fields=["day"], name="presence_day"),
        ]
        constraints = [models.UniqueConstraint(fields=["person", "project", "day"], name="presence_person_project_day")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.project_id} {self.day}"


class PunchVerdict(ScopedModel):
    """A punch the platform found false (a rule's finding): it is kept, but does not make a day attended
    (R06 no liveness check, R07 a reused photo or an impossible journey, R08 a phone without a permit,
    R09 a face that does not match, R10 a manager on a device outside the project, R13 back-filled while
    online). Staff dismissing the finding as genuine lift the verdict (`lifted_at`), and the punch counts
    again. Written by the nightly rules; the alert is named by id (attendance stands below inspections).
    """

    punch_id = models.BigIntegerField(_("punch"))
    punched_at = models.DateTimeField(_("punched at"))
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    person = models.ForeignKey(
        "projects.Person",
        verbose_name=_("person"),
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    rule = models.CharField(_("rule"), max_length=3)
    alert_id = models.BigIntegerField(_("alert"), db_index=True)
    reason = models.CharField(_("reason"), max_length=200)
    found_at = models.DateTimeField(_("found at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("punch that does not count")
        verbose_name_plural = _("punches that do not count")
        ordering = ["-punched_at"]
        indexes = [models.Index(fields=["project", "punched_at"], name="verdict_project_time")]
        constraints = [models.UniqueConstraint(fields=["punch_id", "rule"], name="verdict_one_per_punch_and_rule")]

    def __str__(self) -> str:
        return f"{self.rule} {self.punch_id}"
