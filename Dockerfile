# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev gettext \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm
# libpq for psycopg; PostgreSQL 16's client (pg_dump, pg_restore, createdb) from the PGDG repository,
# the server's own version, for `manage.py backup` and `restore` (docs/operations.md).
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 1000 --home /app smz
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=smz_platform.settings \
    SMZ_ENV_FILE= \
    SMZ_MEDIA_ROOT=/data/media
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=smz:smz . /app
# collectstatic needs settings to load; throwaway values, never used at run time.
RUN DJANGO_SECRET_KEY=build-only SMZ_PII_KEY=YnVpbGQtb25seS1rZXktbm90LXVzZWQtYXQtcnVudGk= \
    python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/backups /tmp/prometheus && chown -R smz:smz /data /tmp/prometheus
USER smz
EXPOSE 8000
CMD ["gunicorn", "smz_platform.wsgi:application", "--config", "python:smz_platform.gunicorn_conf"]
