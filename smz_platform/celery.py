"""The Celery application. Its configuration is the CELERY_* block of settings.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smz_platform.settings")

app = Celery("smz_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
