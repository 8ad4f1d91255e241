"""Prometheus metrics (GET /metrics; docs/operations.md says what each one means).

Requests and latencies come from django-prometheus's middleware (every request, device ones too).
The platform's own figures:

- `smz_intake_records_total{outcome}`: punch records answered accepted, duplicate or rejected
  (counted by the intake, attendance/metrics.py);
- collected at scrape time from the database and the broker (the same numbers whichever worker is
  asked): `smz_nightly_run_last_complete_timestamp_seconds` (when the last night finished),
  `smz_nightly_run_yesterday_complete` (1 or 0), `smz_last_punch_received_timestamp_seconds`,
  `smz_celery_queue_depth` (messages waiting in the default queue), `smz_open_alerts`.

With several gunicorn workers, counters live in PROMETHEUS_MULTIPROC_DIR (gunicorn_conf.py) and the
endpoint adds them up. The endpoint answers loopback, or a bearer of SMZ_METRICS_TOKEN.
"""

from __future__ import annotations

import hmac
import logging
import os

import prometheus_client
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from smz_platform.common.clientip import client_ip

logger = logging.getLogger("smz.metrics")


class PlatformCollector:
    """Read at each scrape: a scrape costs four small queries and one LLEN."""

    def collect(self):
        from django.db.models import Max

        from devices.models import Device
        from inspections.models import Alert, AlertState, RunState
        from inspections.selectors.nights import nights_state
        from upward.selectors import upward_backlogs

        nights = nights_state()  # the same answer as /healthz
        last = nights.last_complete
        gauge = GaugeMetricFamily(
            "smz_nightly_run_last_complete_timestamp_seconds",
            "When the last complete nightly run finished (Unix time).",
        )
        gauge.add_metric([], last.finished_at.timestamp() if last and last.finished_at else 0)
        yield gauge
        done = nights.yesterday_state == RunState.COMPLETE
        yield GaugeMetricFamily(
            "smz_nightly_run_yesterday_complete", "1 when yesterday's night is complete.", value=1 if done else 0
        )
        punch = Device.objects.aggregate(at=Max("last_punch_at"))["at"]
        yield GaugeMetricFamily(
            "smz_last_punch_received_timestamp_seconds",
            "When the last punch arrived.",
            value=punch.timestamp() if punch else 0,
        )
        open_alerts = Alert.objects.filter(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]).count()
        yield GaugeMetricFamily("smz_open_alerts", "Alerts open or acknowledged.", value=open_alerts)
        backlog = GaugeMetricFamily(
            "smz_upward_backlog_oldest_seconds",
            "Age of the oldest upward record still waiting, per receiver (0: none waits).",
            labels=["receiver"],
        )
        for b in upward_backlogs():
            backlog.add_metric([b.receiver], b.oldest_seconds or 0)
        yield backlog
        yield GaugeMetricFamily(
            "smz_celery_queue_depth", "Tasks waiting in the default queue (-1: no broker).", value=_queue_depth()
        )


def _queue_depth() -> int:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis"):
        return -1
    import redis

    try:
        return int(redis.Redis.from_url(broker, socket_timeout=1, socket_connect_timeout=1).llen("celery"))
    except redis.RedisError:
        return -1


def _allowed(request: HttpRequest) -> bool:
    token = settings.SMZ_METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered, f"Bearer {token}"):
        return True
    return client_ip(request) in ("127.0.0.1", "::1")


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=403)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        for collector in (prometheus_client.REGISTRY,):
            registry.register(_Wrapped(collector))
    registry.register(PlatformCollector())
    return HttpResponse(prometheus_client.generate_latest(registry), content_type=prometheus_client.CONTENT_TYPE_LATEST)


class _Wrapped:
    """The process's default registry inside this scrape's registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()
