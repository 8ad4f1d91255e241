from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices.choices import Connection, DeviceKind, DeviceState, Location
from projects.scope.queryset import ScopedModel
from smz_platform.common import pii
from smz_platform.common.dates import chinese_datetime
from smz_platform.common.fields import EncryptedTextField


class Device(ScopedModel):
    """考勤设备: a gate, face terminal or approved mobile tablet bound to one project.

    Its secret signs every device request (docs/device-api.md). HMAC verification needs the secret itself, so
    it is kept encrypted under the personal-data keys and shown once, at registration.
    """

    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    vendor = models.ForeignKey(
        "projects.Enterprise", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="devices"
    )
    model = models.CharField(_("model"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    connection = models.CharField(_("connection"), max_length=16, choices=Connection.choices)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="devices"
    )
    location = models.CharField(_("location"), max_length=16, choices=Location.choices)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    fence_m = models.PositiveIntegerField(_("fence radius (m)"), null=True, blank=True)
    secret_encrypted = EncryptedTextField(_("secret (encrypted)"), editable=False, purpose=pii.DEVICE_SECRET)
    state = models.CharField(_("state"), max_length=16, choices=DeviceState.choices, default=DeviceState.ACTIVE)
    firmware = models.CharField(_("firmware"), max_length=64, blank=True)
    # Marked when its vendor is blacklisted: punches still arrive (the workers' records matter), but
    # every page and answer shows the device as supplied by a blacklisted vendor.
    vendor_blacklisted_at = models.DateTimeField(_("vendor blacklisted at"), null=True, blank=True)
    liveness_enabled = models.BooleanField(_("liveness detection on"), null=True, blank=True)
    online = models.BooleanField(_("online"), default=False)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_punch_at = models.DateTimeField(_("last punch"), null=True, blank=True)
    # The device clock's error at its last contact (its signed timestamp minus the server's time): how
    # far a replayed request of it could be dated after a Redis failure (devices.gateway).
    clock_skew_s = models.IntegerField(_("clock error (s)"), default=0, db_default=0)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    # Healthchecks' way: each contact sets the deadline; the sweeper finds devices past it.
    offline_after = models.DateTimeField(_("offline after"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial"]
        indexes = [
            # Only online devices have a live deadline: the sweeper's query reads this small index.
            models.Index(fields=["offline_after"], condition=models.Q(online=True), name="device_online_deadline"),
        ]

    def __str__(self) -> str:
        return self.serial

    @staticmethod
    def reachable_q(now) -> models.Q:
        """Online now: the sweep's flag, and its deadline not passed (the sweep runs each minute; a page
        read between two sweeps, or with no beat running, must not call a silent device online)."""
        return models.Q(online=True) & (models.Q(offline_after__isnull=True) | models.Q(offline_after__gt=now))

    @property
    def reachable(self) -> bool:
        return self.online and (self.offline_after is None or self.offline_after > timezone.now())

    def secret(self) -> bytes:
        """The signing secret's UTF-8 bytes (docs/device-api.md)."""
        return pii.secret_decrypt(self.secret_encrypted).encode()


class FlipField(models.TextChoices):
    ONLINE = "online", _("Online")
    LIVENESS = "liveness", _("Liveness detection")


class DeviceFlip(ScopedModel):
    """A change of a device's online state or liveness setting (healthchecks.io's "flips").

    Not every heartbeat is kept, only the changes: rules R03, R06 and R13 read this history. For a
    flip to offline, `at` is the last contact, when the device stopped reaching the platform.
    """

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="flips")
    at = models.DateTimeField(_("at"))
    field = models.CharField(_("field"), max_length=16, choices=FlipField.choices)
    value = models.BooleanField(_("new value"), null=True)
    detected_at = models.DateTimeField(_("detected at"))

    class Meta:
        verbose_name = _("device state change")
        verbose_name_plural = _("device state changes")
        ordering = ["device", "at", "id"]
        indexes = [models.Index(fields=["device", "field", "at"], name="deviceflip_device_field_at")]

    def __str__(self) -> str:
        return f"{chinese_datetime(self.at)} {self.get_field_display()}：{self.value_text}"

    @property
    def value_text(self) -> str:
        """在线/离线, 开启/关闭: the change in words, not True/False."""
        words = {FlipField.ONLINE: (_("online"), _("offline")), FlipField.LIVENESS: (_("on"), _("off"))}
        on, off = words.get(self.field, (_("yes"), _("no")))
        return "—" if self.value is None else str(on if self.value else off)


class DeviceNonce(ScopedModel):
    """A nonce recorded in PostgreSQL while Redis was unreachable (devices.nonces explains the scheme).

    The unique index refuses a replay; rows older than the 10-minute window are purged by a task.
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("device nonce")
        verbose_name_plural = _("device nonces")
        constraints = [models.UniqueConstraint(fields=["device", "nonce"], name="devicenonce_unique")]

    def __str__(self) -> str:
        return self.nonce


class DeviceRateWindow(ScopedModel):
    """A device's requests in one minute, counted in PostgreSQL while Redis cannot be reached: the
    per-device limit holds during an outage too. Old windows are purged with the fallback nonces."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    window = models.BigIntegerField()  # Unix minutes
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("device rate window")
        verbose_name_plural = _("device rate windows")
        constraints = [models.UniqueConstraint(fields=["device", "window"], name="deviceratewindow_unique")]

    def __str__(self) -> str:
        return f"{self.device_id}@{self.window}: {self.count}"


class VendorPlatform(ScopedModel):
    """A vendor's platform (平台对接, seed 003 §四(二)): it pushes the punches of its devices registered for platform
    connection, many devices a request, signed with its own key and secret (the secret shown once, stored
    encrypted). Registered and disabled by the city."""

    vendor = models.ForeignKey(
        "projects.Enterprise", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="platforms"
    )
    key = models.CharField(_("platform key"), max_length=64, unique=True, editable=False)
    secret_encrypted = EncryptedTextField(_("secret (encrypted)"), editable=False, purpose=pii.DEVICE_SECRET)
    state = models.CharField(_("state"), max_length=16, choices=DeviceState.choices, default=DeviceState.ACTIVE)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("vendor platform")
        verbose_name_plural = _("vendor platforms")

    def __str__(self) -> str:
        return self.key


class VendorPlatformNonce(ScopedModel):
    """A nonce a vendor's platform signed with, for 10 minutes (a unique index refuses its replay). Platforms push
    seldom and in bulk, so their nonces live in PostgreSQL alone: no failover between stores to reason about."""

    platform = models.ForeignKey(VendorPlatform, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("vendor platform nonce")
        verbose_name_plural = _("vendor platform nonces")
        constraints = [models.UniqueConstraint(fields=["platform", "nonce"], name="platformnonce_unique")]

    def __str__(self) -> str:
        return self.nonce
