"""Tasks run eagerly without a broker; the beat schedule is read from settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from knox.models import AuthToken

from smz_platform.celery import app
from smz_platform.common.tasks import clear_expired_sessions_task


@pytest.mark.django_db
def test_a_task_runs_in_process_when_no_broker_is_configured(city):
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="x", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="current", session_data="x", expire_date=now + timedelta(days=1))
    # API tokens: a call checks only the one it presents; the night deletes every account's expired ones.
    expired, _ = AuthToken.objects.create(user=city.users["haishu"], expiry=timedelta(days=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=now - timedelta(minutes=1))
    current, _ = AuthToken.objects.create(user=city.users["haishu"], expiry=timedelta(days=1))

    clear_expired_sessions_task.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [current.pk]


def test_the_beat_schedule_clears_sessions_at_ten_past_three_shanghai_time():
    entry = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=3, minute=10)
    assert app.conf.timezone == "Asia/Shanghai"


def test_the_worker_is_configured_not_to_lose_tasks():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
