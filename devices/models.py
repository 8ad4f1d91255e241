from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from devices.choices import Connection, DeviceKind, DeviceState, Location
from smz_platform.common import pii


class Device(models.Model):
    """考勤设备: a gate, face terminal or approved mobile tablet bound to one project.

    Its secret signs every device request (api.md §1). HMAC verification needs the secret itself, so
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
    secret_encrypted = models.TextField(_("secret (encrypted)"), editable=False)
    state = models.CharField(_("state"), max_length=16, choices=DeviceState.choices, default=DeviceState.ACTIVE)
    firmware = models.CharField(_("firmware"), max_length=64, blank=True)
    liveness_enabled = models.BooleanField(_("liveness detection on"), null=True, blank=True)
    online = models.BooleanField(_("online"), default=False)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_punch_at = models.DateTimeField(_("last punch"), null=True, blank=True)
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

    def __str__(self) -> str:
        return self.serial

    def secret(self) -> bytes:
        """The signing secret's UTF-8 bytes (api.md §1)."""
        return pii.decrypt(self.secret_encrypted).encode()
