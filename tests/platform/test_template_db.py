"""The migrated template the test and benchmark databases are copied from (smz_platform/common/template_db.py):
named by what the migrations depend on, so that a copy never lacks a migration."""

from __future__ import annotations

import datetime as dt

import psycopg2
import time_machine

from smz_platform.common import template_db


def _tree(tmp_path):
    """A project of one app with two migrations, as template_db reads it."""
    migrations = tmp_path / "attendance" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "__init__.py").write_text("")
    (migrations / "0001_initial.py").write_text("operations = []\n")
    return migrations


def test_the_name_changes_with_a_migration_changed_or_added_and_with_the_day(tmp_path, monkeypatch):
    migrations = _tree(tmp_path)
    monkeypatch.setattr(template_db, "ROOT", tmp_path)
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), tick=False):
        first = template_db.template_name()
        assert template_db.template_name() == first  # the same tree, the same day: the same template
        (migrations / "0001_initial.py").write_text("operations = ['changed']\n")
        changed = template_db.template_name()
        (migrations / "0002_more.py").write_text("operations = []\n")
        added = template_db.template_name()
    with time_machine.travel(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC), tick=False):
        next_day = template_db.template_name()  # the punch table's partitions are made around the day
    assert len({first, changed, added, next_day}) == 4
    assert all(name.startswith("smz_template_") for name in (first, changed, added, next_day))


def _oid(name: str) -> int:
    connection = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_the_template_is_the_migrated_schema_and_a_second_ask_builds_nothing():
    """The suite's own databases were copied from it (tests/conftest.py); asked again, it is found, not rebuilt."""
    name = template_db.template_name()
    built = _oid(template_db.template_ensure())
    assert template_db.template_ensure() == name and _oid(name) == built
    connection = psycopg2.connect(f"postgres://postgres@127.0.0.1:5432/{name}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'attendance'")
            applied = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'attendance_punch'::regclass")
            partitions = cursor.fetchone()[0]
    finally:
        connection.close()
    assert applied == len(list((template_db.ROOT / "attendance" / "migrations").glob("0*.py")))
    assert partitions > 24  # the months two years back to three ahead, and the default
