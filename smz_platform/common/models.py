from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW_UNMASKED = "view_unmasked", _("Viewed unmasked personal data")
    EXPORT = "export", _("Exported data")
    DOWNLOAD_ATTACHMENT = "download_attachment", _("Downloaded an attachment")
    # A search by a full ID number says whether that person works in one's jurisdiction: logged too.
    SEARCH_ID_NUMBER = "search_id_number", _("Searched by ID number")
    # An account locked, unlocked, its tokens ended, a link to set its password given (projects.admin.accounts).
    MANAGE_ACCOUNT = "manage_account", _("Managed an account")
    # A policy's settings changed (考核口径), with its version (inspections.PolicyVersion) saying what and why.
    CHANGE_POLICY = "change_policy", _("Changed a policy")
    # Records past their retention removed by an operator's command (wages: manage.py wage_records_purge).
    PURGE = "purge", _("Purged records past their retention")
    # The worker's side (rights/): a one-time code asked for (by anyone: the row never names the number), a
    # worker signed in to read his own records.
    CODE = "one_time_code", _("Asked for a one-time code")
    SIGN_IN = "worker_sign_in", _("A worker signed in to his records")


class AuditEvent(models.Model):
    """审计日志: every view of unmasked personal data and every export (甬建函〔2023〕82号 三(十四),
    吉建管〔2021〕6号 五(三), 鄂建文〔2019〕27号 二(四)). Rule R14 reads it. Rows are only ever added.
    """

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=24, choices=AuditAction.choices)
    what = models.CharField(_("what"), max_length=200)
    project_permit_no = models.CharField(_("project"), max_length=64, blank=True, db_index=True)
    record_count = models.PositiveIntegerField(_("records"))
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.what}"


class OperationalAlert(models.Model):
    """运维告警: something the operators must fix (not a rule finding), e.g. punches landing in the
    default partition because a month's partition is missing. One row per ongoing condition."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    message = models.TextField(_("message"))
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("operational alert")
        verbose_name_plural = _("operational alerts")
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.key


class KeyRotationProgress(models.Model):
    """How far `manage.py pii_reencrypt` has come in one step (people, punches, devices, files, the
    digests): a run that stops resumes after `last_id` (or `last_name` for files)."""

    step = models.CharField(_("step"), max_length=100, unique=True)
    last_id = models.BigIntegerField(_("last id"), default=0)
    last_name = models.CharField(_("last file"), max_length=500, blank=True, default="")
    done = models.PositiveBigIntegerField(_("rows done"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("key rotation progress")
        verbose_name_plural = _("key rotation progress")

    def __str__(self) -> str:
        return self.step


class ScheduledRun(models.Model):
    """A scheduled job's run for one slot of the beat's schedule (the minute it was due): a second beat,
    or a message delivered twice, finds its slot taken and does nothing (smz_platform/common/beat.py)."""

    job = models.CharField(_("job"), max_length=200)
    slot = models.DateTimeField(_("slot"))
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
