"""A migrated, empty database kept as PostgreSQL's template, so that a test or benchmark database is a copy
of it (`CREATE DATABASE … TEMPLATE`, about a second) rather than a run of the 90-odd migrations (about
fifteen seconds a database on this machine's two cores, and the suite and the benchmarks' smoke runs create
ten of them).

The template's name carries a digest of what a migration run depends on: every migration file, Django's
version and the day (the punch table's monthly partitions are created around the day the migrations run,
attendance 0002). A changed migration, a new one or a new day names another template; the old ones are
dropped when a new one is built. Several processes asking at once (pytest-xdist's workers) build it once:
the first takes an advisory lock and the others wait on it, and a template only gets its name once its
migrations have all run (it is built under another and renamed).

Knows no app: it runs `manage.py migrate` in a process of its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    import psycopg2.extensions

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "smz_template_"
LOCK = 7_263_501  # pg_advisory_lock's key: "only one process builds a template at a time"


def template_name() -> str:
    """The name of the template for the migrations as they are on disk today."""
    digest = hashlib.sha256(f"{django.get_version()} {dt.date.today().isoformat()}".encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("smz_platform/*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return PREFIX + digest.hexdigest()[:16]


def template_ensure(*, server: str = "postgres://postgres@127.0.0.1:5432") -> str:
    """The template's name, built first if it is not there (`server`: the PostgreSQL server, with no database
    and no pooler in between — CREATE DATABASE and an advisory lock need a session of their own)."""
    import psycopg2

    name = template_name()
    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                _build(cursor, name=name, server=server)
    finally:
        connection.close()  # the advisory lock goes with the session
    return name


def _build(cursor: psycopg2.extensions.cursor, *, name: str, server: str) -> None:
    import psycopg2.errors

    building = f"{name}_building"
    cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')  # a build that died half-way
    cursor.execute(f'CREATE DATABASE "{building}"')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "PYTEST_XDIST"))}
    env.update(
        DATABASE_URL=f"{server}/{building}",
        DJANGO_SETTINGS_MODULE="smz_platform.settings",
        DJANGO_LOG_LEVEL="WARNING",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        cursor.execute(f'DROP DATABASE IF EXISTS "{building}"')
        raise RuntimeError(f"migrating the template database failed:\n{result.stderr[-3000:]}")
    cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    # The templates of other migrations or other days; one in use (a copy under way) is left for next time.
    cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s", [PREFIX + "%", name])
    for (old,) in cursor.fetchall():
        with contextlib.suppress(psycopg2.errors.ObjectInUse):
            cursor.execute(f'DROP DATABASE IF EXISTS "{old}"')
