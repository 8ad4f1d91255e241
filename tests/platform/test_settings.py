"""Settings come from the environment: database choice, required secrets, Celery mode."""

from __future__ import annotations

from tests.platform.helpers import SECRETS, run_python

PRINT_ENGINE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE']); print(settings.DATABASES['default']['NAME'])"
)


def test_it_uses_an_embedded_sqlite_file_under_var_when_database_url_is_unset():
    result = run_python(PRINT_ENGINE, **SECRETS)
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("/var/db.sqlite3")


def test_it_uses_postgresql_when_database_url_says_so():
    result = run_python(PRINT_ENGINE, DATABASE_URL="postgres://smz:pw@db.internal:5432/smz_prod", **SECRETS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "smz_prod"]


def test_it_refuses_to_start_without_a_secret_key():
    result = run_python(PRINT_ENGINE, SMZ_PII_KEY=SECRETS["SMZ_PII_KEY"], DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_the_personal_data_key():
    result = run_python(PRINT_ENGINE, DJANGO_SECRET_KEY=SECRETS["DJANGO_SECRET_KEY"], DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "SMZ_PII_KEY is not set" in result.stderr


def test_it_refuses_a_personal_data_key_of_the_wrong_length():
    result = run_python(PRINT_ENGINE, DJANGO_SECRET_KEY=SECRETS["DJANGO_SECRET_KEY"], SMZ_PII_KEY="c2hvcnQ=")
    assert result.returncode != 0
    assert "does not decode to 32 bytes" in result.stderr


def test_it_accepts_a_list_of_personal_data_keys_for_rotation():
    code = "import django; django.setup(); from django.conf import settings; print(len(settings.SMZ_PII_KEYS))"
    keys = SECRETS["SMZ_PII_KEY"] + ",b2xkLXRlc3RzLW9ubHktcGlpLWtleS0wMTIzNDU2Nzg="
    result = run_python(code, DJANGO_SECRET_KEY=SECRETS["DJANGO_SECRET_KEY"], SMZ_PII_KEY=keys)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_it_runs_tasks_eagerly_without_a_broker_and_through_redis_with_one():
    code = (
        "import django; django.setup(); from smz_platform.celery import app; "
        "print(app.conf.task_always_eager, app.conf.broker_url)"
    )
    without = run_python(code, **SECRETS)
    assert without.returncode == 0, without.stderr
    assert without.stdout.split()[0] == "True"
    with_broker = run_python(code, CELERY_BROKER_URL="redis://127.0.0.1:6379/3", **SECRETS)
    assert with_broker.returncode == 0, with_broker.stderr
    assert with_broker.stdout.split() == ["False", "redis://127.0.0.1:6379/3"]


def test_the_time_zone_is_shanghai_and_the_language_chinese():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.TIME_ZONE, settings.USE_TZ, settings.LANGUAGE_CODE)"
    )
    result = run_python(code, **SECRETS)
    assert result.stdout.split() == ["Asia/Shanghai", "True", "zh-hans"]


def test_the_generated_embedded_default_serves_the_sites_own_error_pages_on_plain_http(tmp_path):
    """make run's var/.env: debug off (a newcomer's 404 is the site's page, not Django's list of every
    URL), yet plain HTTP on loopback works: no TLS redirect and no secure-only cookies."""
    import subprocess
    import sys

    env_file = tmp_path / ".env"
    subprocess.run([sys.executable, "scripts/generate_secrets.py", str(env_file)], check=True, capture_output=True)
    assert "DJANGO_DEBUG=false" in env_file.read_text()
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE)"
    )
    embedded = run_python(code, SMZ_ENV_FILE=str(env_file))
    assert embedded.returncode == 0, embedded.stderr
    assert embedded.stdout.split() == ["False", "False", "False"]
    production = run_python(code, DJANGO_DEBUG="false", **SECRETS)
    assert production.stdout.split() == ["False", "True", "True"]
