"""System checks of the platform's own security settings (manage.py check --deploy)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def lookup_key_check(app_configs, **kwargs):
    if settings.SMZ_LOOKUP_KEY:
        return []
    return [
        Warning(
            "SMZ_LOOKUP_KEY is not set: ID numbers' lookup digests are keyed by the last SMZ_PII_KEY, which can "
            "then never be retired.",
            hint="Set SMZ_LOOKUP_KEY to a new 32-byte urlsafe-base64 key and run `manage.py pii_reencrypt "
            "--rehash` (docs/security.md).",
            id="smz.W001",
        )
    ]
