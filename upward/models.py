"""The receivers of upward data and the outbox of what each must learn.

A change the receiver must learn is written to the outbox (`OutboxItem`) in the same transaction as the change
itself: the change and the promise to report it commit together or not at all. Celery sends the outbox in the
receiver's order, polls the receiver's asynchronous answers and keeps the receiver's serials and ids
(upward/sending.py). Payloads are built when sent, from the registry as it then stands."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Project, Region
from projects.scope.queryset import ScopedModel
from smz_platform.common import pii
from smz_platform.common.fields import EncryptedTextField
from smz_platform.common.national import Cipher

CIPHERS = [
    (Cipher.AES256.value, _("AES-256, the secret as key (the standard)")),
    (Cipher.AES128_HEAD.value, _("AES-128, the secret's first 16 characters (one province's variant)")),
]


class ReceiverLevel(models.TextChoices):
    NATIONAL = "national", _("National platform")
    PROVINCIAL = "provincial", _("Provincial platform")
    CITY = "city", _("Another city's platform")


class Receiver(ScopedModel):
    """One platform the city reports to (接收平台), with the credentials it issued (the secret encrypted)."""

    region = models.ForeignKey(
        Region, verbose_name=_("reporting city"), on_delete=models.PROTECT, related_name="receivers"
    )
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=ReceiverLevel.choices)
    url = models.URLField(_("interface address"), max_length=300)
    appid = models.CharField(_("appid"), max_length=64)
    secret_encrypted = EncryptedTextField(_("app secret (encrypted)"), purpose=pii.RECEIVER_SECRET, editable=False)
    cipher = models.CharField(_("field encryption"), max_length=16, choices=CIPHERS, default=Cipher.AES256.value)
    version = models.CharField(_("interface version"), max_length=8, default="1.0")
    batch_size = models.PositiveIntegerField(_("records per call"), default=200)
    calls_per_minute = models.PositiveIntegerField(_("calls per minute"), default=60)
    timeout_seconds = models.PositiveIntegerField(_("answer timeout (seconds)"), default=30)
    enabled = models.BooleanField(_("sending"), default=True)
    # The last day whose judged attendance was written to the outbox (upward.services.attendance_enqueue).
    attendance_through = models.DateField(_("attendance reported through"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("receiver")
        verbose_name_plural = _("receivers")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="receiver_name_per_city")]

    def __str__(self) -> str:
        return self.name

    def reveal_secret(self) -> str:
        return pii.decrypt_as(self.secret_encrypted, pii.RECEIVER_SECRET)

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = pii.encrypt_as(secret, pii.RECEIVER_SECRET)


class ProjectCredential(ScopedModel):
    """The appid and secret a receiver issued for one project (some provinces issue them per project, not per
    platform): that project's records are signed and encrypted with them; the others with the receiver's."""

    receiver = models.ForeignKey(
        Receiver, verbose_name=_("receiver"), on_delete=models.CASCADE, related_name="credentials"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+")
    appid = models.CharField(_("appid"), max_length=64)
    secret_encrypted = EncryptedTextField(_("app secret (encrypted)"), purpose=pii.RECEIVER_SECRET, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project credential")
        verbose_name_plural = _("project credentials")
        constraints = [models.UniqueConstraint(fields=["receiver", "project"], name="credential_one_per_project")]

    def __str__(self) -> str:
        return f"{self.project} {self.appid}"

    def reveal_secret(self) -> str:
        return pii.decrypt_as(self.secret_encrypted, pii.RECEIVER_SECRET)

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = pii.encrypt_as(secret, pii.RECEIVER_SECRET)


class RecordKind(models.TextChoices):
    """What is reported, in the receiver's order: a record waits until those of earlier kinds it needs are
    accepted (a firm before its project, a project before its teams, a team before its workers…)."""

    CORP = "corp", _("Upward record: enterprise")
    PROJECT = "project", _("Upward record: project")
    PARTICIPANT = "participant", _("Upward record: participant")
    TEAM = "team", _("Upward record: team")
    WORKER = "worker", _("Upward record: worker")
    ENTRY_EXIT = "entry_exit", _("Upward record: entry and exit")
    CONTRACT = "contract", _("Upward record: labour contract")
    ATTENDANCE = "attendance", _("Upward record: attendance")
    PAYROLL = "payroll", _("Upward record: payroll")


ORDER = {kind: rank for rank, kind in enumerate(RecordKind.values)}


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    CALLING = "calling", _("Being sent")
    SENT = "sent", _("Sent, awaiting the receiver's result")
    ACCEPTED = "accepted", _("Accepted")
    FAILED = "failed", _("Refused by the receiver")
    # Never sent: this platform holds the record back and says why (a punch outside the worker's stay on the
    # project, a record gone). Not the receiver's refusal, which a regulator reads as the province's word.
    WITHHELD = "withheld", _("Not sent: withheld by this platform")


OPEN_STATES = (OutboxState.PENDING, OutboxState.CALLING, OutboxState.SENT)


class OutboxItem(ScopedModel):
    """One record a receiver must learn. `key` names it within its kind (a firm's credit code, a project's
    id, "employer:team" for a team, an engagement's id…); at most one open item per receiver, kind and key, so
    that repeated changes before a send coalesce into one."""

    receiver = models.ForeignKey(Receiver, verbose_name=_("receiver"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    rank = models.PositiveSmallIntegerField(_("order"))
    key = models.CharField(_("record"), max_length=128)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    due_at = models.DateTimeField(_("next attempt at"))
    serial = models.CharField(_("receiver's serial"), max_length=64, blank=True)
    reference = models.CharField(_("receiver's id"), max_length=64, blank=True)  # projectCode, teamSysNo…
    message = models.CharField(_("receiver's message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    done_at = models.DateTimeField(_("accepted or refused at"), null=True, blank=True)

    class Meta:
        verbose_name = _("upward record")
        verbose_name_plural = _("upward records")
        constraints = [
            models.UniqueConstraint(
                fields=["receiver", "kind", "key"],
                condition=Q(state__in=["pending", "calling", "sent"]),
                name="outbox_one_open_item",
            )
        ]
        indexes = [
            models.Index(fields=["receiver", "state", "rank", "due_at"], name="outbox_due"),
            models.Index(fields=["receiver", "kind", "key"], name="outbox_record"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
