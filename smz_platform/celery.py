"""The Celery application. Its configuration is the CELERY_* block of settings.py."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smz_platform.settings")

app = Celery("smz_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
_tokens: dict = {}


@task_prerun.connect
def _tasks_read_the_primary(task_id=None, task=None, **kwargs):
    """A task reads and writes the primary, even one run in-process from a page that reads from the
    replica (smz_platform/common/replica.py): the nightly run and its like judge what is committed."""
    from smz_platform.common.replica import primary_reads_begin

    _tokens[task_id] = primary_reads_begin()


@task_postrun.connect
def _tasks_read_the_primary_end(task_id=None, **kwargs):
    from smz_platform.common.replica import primary_reads_end

    token = _tokens.pop(task_id, None)
    if token is not None:
        primary_reads_end(token)
