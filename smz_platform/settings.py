"""Settings, read from the environment (django-environ).

Every knob is an environment variable documented in docs/operations.md ("Configuration"). The embedded
default needs none: `make run` writes generated secrets into `var/.env`, which is read here when it
exists, and the database falls back to an SQLite file under `var/`. In production the secrets are
required: without them the process refuses to start (ImproperlyConfigured) rather than run with a
guessable key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The embedded default's generated secrets (make run). SMZ_ENV_FILE names another file, or none when
# empty. Real environment variables win over the file (read_env does not overwrite).
_env_file = os.environ.get("SMZ_ENV_FILE", str(VAR_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    environ.Env.read_env(_env_file)


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it in the environment (production), or run `make run` once, "
            f"which generates the embedded default's secrets into var/.env."
        )
    return value


def _pii_keys(raw: str, name: str = "SMZ_PII_KEY") -> list[str]:
    """SMZ_PII_KEY: comma-separated urlsafe-base64 32-byte keys; the first one encrypts."""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"{name} holds a key that is not urlsafe base64.") from exc
        if len(decoded) != 32:
            raise ImproperlyConfigured(f"{name} holds a key that does not decode to 32 bytes.")
    return keys


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = _required("DJANGO_SECRET_KEY")
SMZ_PII_KEYS = _pii_keys(_required("SMZ_PII_KEY"))
# The key of the ID numbers' lookup digests, apart from the encryption keys (smz_platform/common/pii.py).
# Unset: derived from the last SMZ_PII_KEY, as before it existed (check --deploy warns).
SMZ_LOOKUP_KEY = (_pii_keys(env.str("SMZ_LOOKUP_KEY", default=""), "SMZ_LOOKUP_KEY") or [""])[0]
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "projects.adminsite.PlatformAdminConfig",  # django.contrib.admin with the kept page lists
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens stored as digests, with an expiry (SMZ_API_TOKEN_DAYS), rotated by their holder.
    "smz_platform.common.apps.KnoxConfig",
    # Login lockout after repeated failures (AXES_* below).
    "smz_platform.common.apps.AxesConfig",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Request counts and latencies for /metrics (operations/metrics.py adds the platform's own).
    "django_prometheus",
    "smz_platform.common",
    "projects",
    "devices",
    "attendance",
    "inspections",
    "wages",
    "rights",
    "upward",
    "reports",
    "operations",
]

MIDDLEWARE = [
    # First: every request, device ones too, is counted and timed, and carries a request id.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "smz_platform.common.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Signed device requests leave here for their endpoints (attendance/api/fastlane.py).
    "attendance.api.fastlane.DeviceFastLaneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages for anyone (rights boards, published results, public forms) answered from the shared cache to a
    # visitor without a session, before the stack below (common/publicpages.py).
    "smz_platform.common.publicpages.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # GET pages, reports and API reads from the streaming replica when there is one.
    "smz_platform.common.replica.ReplicaReadsMiddleware",
    # The account's language (default Chinese), not the browser's Accept-Language.
    "smz_platform.common.language.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page form's file over the limit: 413 with the site's page, before CSRF reads the form (common/uploads.py).
    "smz_platform.common.uploads.UploadLimitMiddleware",
    # A session idle longer than its role allows is ended (SMZ_SESSION_IDLE_MINUTES_*).
    "projects.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses a locked-out login with the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
    # A POST, PUT, PATCH or DELETE is one transaction, rolled back when the view fails (common/transactions.py).
    "smz_platform.common.transactions.AtomicWritesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "smz_platform.urls"
WSGI_APPLICATION = "smz_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.scope.context_processors.scope",
                "reports.dashboard.context_processors.todo",
            ],
        },
    },
]

# DATABASE_URL unset: the embedded SQLite file, for trying the product out. Set: PostgreSQL.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    # Off by default: a check is one more round trip on every request, and a connection that died
    # (a database restart) costs one 503 with Retry-After before Django opens a new one.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=False)
    # A dead database must answer quickly (503), not hang a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# Behind pgbouncer in transaction mode (docs/operations.md "Scaled out") each transaction may get another server
# connection: nothing may outlive a transaction on the server. Django's server-side cursors (iterator())
# are declared WITH HOLD outside transactions, and the punch intake's SQL PREPARE is per connection:
# both are off. (psycopg2 sends parameters inline, so there are no protocol-level prepared statements.)
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
if DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
SMZ_PREPARED_STATEMENTS = not DATABASE_TRANSACTION_POOLING
# Backups and restores (pg_dump, pg_restore) need a session of their own: behind a pooler they connect to
# PostgreSQL itself, here (host, port, user, password; the database's name stays DATABASE_URL's).
SMZ_DATABASE_DIRECT = {}
if env.str("DATABASE_DIRECT_URL", default=""):
    _direct = env.db_url("DATABASE_DIRECT_URL")
    SMZ_DATABASE_DIRECT = {key: _direct[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if _direct.get(key)}
# A streaming replica for what people browse (smz_platform/common/replica.py); unset: one database.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # The test runner makes no database on a standby; tests/conftest.py points the alias at the real one.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["smz_platform.common.replica.ReplicaRouter"]
SMZ_REPLICA_READS = "replica" in DATABASES
SMZ_REPLICA_PIN_SECONDS = env.int("SMZ_REPLICA_PIN_SECONDS", default=10)
SMZ_REPLICA_MAX_LAG_SECONDS = env.int("SMZ_REPLICA_MAX_LAG_SECONDS", default=30)
# Upward data: a receiver whose oldest waiting record is older than this is late (/healthz, /metrics, the page).
SMZ_UPWARD_BACKLOG_MINUTES = env.int("SMZ_UPWARD_BACKLOG_MINUTES", default=120)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "projects.User"
# A regulator's one-time link to set an account's password (projects.admin.accounts) lives a day.
PASSWORD_RESET_TIMEOUT = 24 * 3600

AUTHENTICATION_BACKENDS = [
    # First: counts failed logins and refuses a locked-out username from that address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The admin's pages each kind of account may open, from the one scope's table (projects.scope); the
    # scope then cuts every page's rows.
    "projects.scope.backend.ScopeBackend",
]

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The platform serves Chinese regulators and site staff; English stays available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
# Face photos and status-request attachments: never served publicly (no MEDIA_URL route).
MEDIA_ROOT = Path(env.str("SMZ_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # Every stored file encrypted at rest (smz_platform/common/storage.py).
    "default": {"BACKEND": "smz_platform.common.storage.EncryptedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's, without reading the account's every token on each call (smz_platform/common/tokens.py).
        "smz_platform.common.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Areas, costs and ratios are numbers in the API, not strings.
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "smz_platform.common.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "建筑工人实名制管理平台 API",
    "DESCRIPTION": "Device API (设备直连), integration API (平台对接) and regulators' reads.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so that write-only fields are documented where they apply.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectKindEnum": "projects.choices.ProjectKind",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "ParticipantRoleEnum": "projects.choices.EnterpriseKind",
        "AccountRoleEnum": "projects.choices.Role",
        "StatusRequestKindEnum": "projects.choices.StatusRequestKind",
        "StatusRequestStateEnum": "projects.choices.StatusRequestState",
        "AttachmentKindEnum": "projects.choices.AttachmentKind",
        "DeviceKindEnum": "devices.choices.DeviceKind",
        "DeviceConnectionEnum": "devices.choices.Connection",
        "DeviceLocationEnum": "devices.choices.Location",
        "DeviceStateEnum": "devices.choices.DeviceState",
        "RegionLevelEnum": "projects.choices.RegionLevel",
        "FindingCategoryEnum": "inspections.choices.finding_categories",
        "EngagementCategoryEnum": "projects.choices.Category",
        "InspectionKindEnum": "inspections.choices.InspectionKind",
        "MeasureKindEnum": "inspections.choices.MeasureKind",
        "MeasureStateEnum": "inspections.choices.MeasureState",
        "CaseStateEnum": "inspections.choices.CaseState",
        "ReplyStateEnum": "inspections.choices.ReplyState",
        "CampaignPhaseEnum": "inspections.choices.CampaignPhase",
    },
}

# --- Celery ---------------------------------------------------------------------------------------
# CELERY_BROKER_URL unset: tasks run eagerly in the calling process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Results are kept only where a canvas needs them: the night's parts, counted by a chord
# (inspections.tasks). Redis, as the broker, unless told otherwise.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL) or None
CELERY_RESULT_EXPIRES = dt.timedelta(days=2)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task is acknowledged only when it has finished, and given back if its worker dies mid-way, so a
# killed worker never loses the nightly run. Every task is therefore written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per worker process: the long nightly tasks must not hold short ones hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 60 * 60
# Redis re-delivers an unacknowledged task after the visibility timeout; it must exceed the longest
# task (the hard limit above), or a long task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The beat marks each message with its slot; every scheduled task runs once per slot, however many beats
# send it (smz_platform/common/beat.py).
CELERY_BEAT_SCHEDULER = "smz_platform.common.beat:SlotScheduler"
# Every periodic job of the platform, in one place. Times are Asia/Shanghai (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    # 03:10 every day: delete expired login sessions, off the busy hours.
    "clear-expired-sessions": {
        "task": "smz_platform.common.tasks.clear_expired_sessions_task",
        "schedule": crontab(hour=3, minute=10),
    },
    # Every minute: mark devices past their contact deadline offline (and record the flip).
    "sweep-offline-devices": {
        "task": "devices.tasks.sweep_offline_devices_task",
        "schedule": crontab(minute="*"),
    },
    # Every minute: each province's overview figures, counted off the page's path (reports.tasks).
    "refresh-province-overviews": {
        "task": "reports.tasks.refresh_province_overviews_task",
        "schedule": crontab(),
    },
    # 03:20 every day: forget the one-time codes asked for more than a day ago (rights.services.codes).
    "purge-one-time-codes": {
        "task": "rights.tasks.purge_one_time_codes_task",
        "schedule": crontab(hour=3, minute=20),
    },
    # Every minute: the upward outbox sent to each receiver in its order, and its answers read (upward/).
    "send-upward": {
        "task": "upward.tasks.send_upward_task",
        "schedule": crontab(minute="*"),
    },
    # Every 10 minutes: forget nonces recorded in PostgreSQL during a Redis outage.
    "purge-device-nonces": {
        "task": "devices.tasks.purge_device_nonces_task",
        "schedule": crontab(minute="*/10"),
    },
    # 02:20 every day: create the punch partitions of this month and the next three.
    "ensure-punch-partitions": {
        "task": "attendance.tasks.ensure_punch_partitions_task",
        "schedule": crontab(hour=2, minute=20),
    },
    # 01:30 every night: all rules for yesterday (inspections.engine; a lock keeps runs apart).
    "run-rules-nightly": {
        "task": "inspections.tasks.run_rules_nightly_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every 15 minutes from 02:00 to 09:45: yesterday's night must be complete; queued again if not (and
    # nobody is running it). A night that never completes shows on /healthz.
    "nightly-run-watchdog": {
        "task": "inspections.tasks.nightly_run_watchdog_task",
        "schedule": crontab(hour="2-9", minute="*/15"),
    },
    # 02:30 every night, after the rules run: overdue orders whose rule still fires escalate (吉建管〔2021〕6号
    # Annex 1); staff confirm the proposals in the morning.
    "escalate-overdue-measures": {
        "task": "inspections.tasks.escalate_overdue_measures_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # 04:10 every day: on the last day of a campaign's local inspection, each district's Annex 1 draft to
    # review and submit (报送, 甬建函〔2023〕82号 四(二)), from the night's figures.
    "prepare-submission-drafts": {
        "task": "reports.tasks.prepare_submission_drafts_task",
        "schedule": crontab(hour=4, minute=10),
    },
    # 03:00 every night, after the rules and the escalation: yesterday's figures per district for the
    # dashboard's trends (reports.dashboard.rollup).
    "dashboard-roll-up": {
        "task": "reports.tasks.dashboard_roll_up_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Every hour at :05: punches in the default partition raise an operational alert.
    "check-default-partition": {
        "task": "attendance.tasks.check_default_partition_task",
        "schedule": crontab(minute=5),
    },
}

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A login lasts a working day at most, and ends after a while without a request (regulators sooner:
# their sessions reach every worker's data of a district or the city).
SESSION_COOKIE_AGE = env.int("SMZ_SESSION_MAX_HOURS", default=12) * 3600
SMZ_SESSION_IDLE_MINUTES_REGULATOR = env.int("SMZ_SESSION_IDLE_MINUTES_REGULATOR", default=30)
SMZ_SESSION_IDLE_MINUTES_OTHER = env.int("SMZ_SESSION_IDLE_MINUTES_OTHER", default=120)
# Flash messages live in the session (server side), never in a cookie the browser keeps.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# API tokens: stored as SHA-512 digests (knox), valid SMZ_API_TOKEN_DAYS, rotated by
# POST /api/v1/auth/token/rotate/ or manage.py issue_token.
SMZ_API_TOKEN_DAYS = env.int("SMZ_API_TOKEN_DAYS", default=90)
REST_KNOX = {"TOKEN_TTL": dt.timedelta(days=SMZ_API_TOKEN_DAYS), "AUTO_REFRESH": False}
# The reverse proxies in front of the platform that append to X-Forwarded-For (0: none, the embedded
# default; the compose file's one proxy: 1). Only their hops are believed (smz_platform/common/clientip.py).
SMZ_TRUSTED_PROXY_HOPS = env.int("SMZ_TRUSTED_PROXY_HOPS", default=0)
# /metrics answers loopback, or a bearer of this token (a Prometheus outside the host).
SMZ_METRICS_TOKEN = env.str("SMZ_METRICS_TOKEN", default="")
# Login lockout: 5 failures of one username from one address lock it for 15 minutes (django-axes).
AXES_FAILURE_LIMIT = env.int("SMZ_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("SMZ_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "smz_platform.common.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "reports/dashboard/locked_out.html"
AXES_VERBOSE = False
X_FRAME_OPTIONS = "DENY"
# The embedded default (make run): debug off, so that a newcomer sees the site's own error pages, but
# served by runserver on plain HTTP on loopback: no TLS redirect, no secure-only cookies, no HSTS.
SMZ_PLAIN_HTTP = env.bool("SMZ_PLAIN_HTTP", default=False)
if not DEBUG and not SMZ_PLAIN_HTTP:
    # Behind the reverse proxy that terminates TLS (docker-compose.yml, docs/operations.md "Production").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The container health check calls /healthz over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: one JSON object a line with the request id (SMZ_LOG_FORMAT=json, the default in production), or
# plain lines (the embedded default's debug mode). docs/operations.md.
SMZ_LOG_FORMAT = env.str("SMZ_LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "smz_platform.common.requestid.RequestIdFilter"},
        "client_errors_brief": {"()": "smz_platform.common.requestid.ClientErrorsBrief"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": SMZ_LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # axes logs every login at INFO: failures and lockouts (WARNING) are what an operator reads.
    # A 4xx is one line, without the traceback of the refusal that raised it (common/requestid.py).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["client_errors_brief"]},
    },
}

LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "dashboard:login"

# --- Domain settings --------------------------------------------------------------------------------
# The real-name scope (中山 2019 上线通知 二): buildings from 5000 m², municipal works from 10 million yuan.
SMZ_SCOPE_MIN_BUILDING_AREA_M2 = env.int("SMZ_SCOPE_MIN_BUILDING_AREA_M2", default=5000)
SMZ_SCOPE_MIN_MUNICIPAL_COST_YUAN = env.int("SMZ_SCOPE_MIN_MUNICIPAL_COST_YUAN", default=10_000_000)
# Devices: a device with no contact for this long is offline (the dashboard's state; rule R03 judges
# the 24-hour limit from the history of these flips). Requests a device may send per minute.
SMZ_DEVICE_OFFLINE_AFTER_MINUTES = env.int("SMZ_DEVICE_OFFLINE_AFTER_MINUTES", default=30)
SMZ_DEVICE_REQUESTS_PER_MINUTE = env.int("SMZ_DEVICE_REQUESTS_PER_MINUTE", default=120)
# Device requests a client address may send per minute to one web process, checked before the body is
# read (a site's devices often share one address behind its router: room for 20 devices at full rate).
SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE = env.int("SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE", default=2400)
# The nightly run's claim lives this long without a heartbeat (one beat after each rule): a run whose
# process died is taken over after it (inspections.engine.claims).
SMZ_RULES_RUN_LEASE_SECONDS = env.int("SMZ_RULES_RUN_LEASE_SECONDS", default=300)
# The night's parts (inspections.engine.fanout): a city each, a bigger city split into groups of whole
# districts of about this many projects.
SMZ_RULES_PART_PROJECTS = env.int("SMZ_RULES_PART_PROJECTS", default=1000)
# A province's overview counts the day of every district of its cities: kept this long, refreshed by the
# beat every minute (reports.tasks.refresh_province_overviews_task); the page says when it was counted.
SMZ_OVERVIEW_KEEP_SECONDS = env.int("SMZ_OVERVIEW_KEEP_SECONDS", default=120)
# The device API accepts bodies up to 10 MiB (docs/device-api.md); Django refuses larger ones before reading.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# How far back a suspension, resumption, stop of attendance or completion may be dated, and an exit
# recorded (days): further back, a contractor would erase days after the fact.
SMZ_REQUEST_BACKDATE_DAYS = env.int("SMZ_REQUEST_BACKDATE_DAYS", default=3)
SMZ_EXIT_BACKDATE_DAYS = env.int("SMZ_EXIT_BACKDATE_DAYS", default=3)
# Checks an exit must pass besides its own (like AUTH_PASSWORD_VALIDATORS): each is called with the engagement
# and raises ValidationError. Apps above projects add theirs here (the wage settlement, under the policy).
SMZ_EXIT_VALIDATORS = ["wages.services.exit_settlement_validate"]
# Text messages (smz_platform/common/sms.py): the log by default; a file; or a provider's HTTP API in Yunpian's
# shape (a form POST of apikey, mobile, text; JSON code 0 on success).
SMZ_SMS_BACKEND = env.str("SMZ_SMS_BACKEND", default="smz_platform.common.sms.ConsoleBackend")
SMZ_SMS_FILE_PATH = env.str("SMZ_SMS_FILE_PATH", default=str(VAR_DIR / "sms.log"))
SMZ_SMS_URL = env.str("SMZ_SMS_URL", default="")
SMZ_SMS_API_KEY = env.str("SMZ_SMS_API_KEY", default="")
SMZ_SMS_TIMEOUT = env.float("SMZ_SMS_TIMEOUT", default=5.0)
# How long the proxy in front (deploy/nginx.conf) may keep a page for anyone that holds nothing of the visitor's own
# (a rights board, a published draw or circular; not a form, which carries the visitor's CSRF token): the page
# answers with X-Accel-Expires, which nginx reads and never passes on. A revoked board or its changed clerk stops
# at the proxy within this time (at once in the platform). 0: the proxy keeps nothing.
SMZ_PUBLIC_PROXY_SECONDS = env.int("SMZ_PUBLIC_PROXY_SECONDS", default=60)
# Status-request attachments: stamped form scans and site photos.
SMZ_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Each uploaded file is counted as it streams in and refused at the limit (smz_platform/common/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "smz_platform.common.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
SMZ_ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
