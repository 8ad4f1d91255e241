"""Monthly partitions of the punch table (PostgreSQL only; SQLite keeps one plain table).

Partitions are cut at Asia/Shanghai midnight on the first of each month, so that a month's punches
are the punches of that local month. A task creates them ahead; a punch outside every partition
lands in the default partition, which raises an operational alert, and creating the missing
partition later moves those rows out of the default one.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from attendance.storage import is_postgresql
from smz_platform.common.months import month_start, next_month
from smz_platform.common.operations import operational_alert_raise, operational_alert_resolve

TABLE = "attendance_punch"
DEFAULT = f"{TABLE}_default"
ALERT_KEY = "punch-default-partition"


def is_partitioned() -> bool:
    return is_postgresql()


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_y{month.year}m{month.month:02d}"


def _bound(month: dt.date) -> str:
    return f"{month.isoformat()} 00:00:00+08"


def existing_partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def punch_partitions_ensure(*, start: dt.date, months: int) -> list[str]:
    """Create the monthly partitions from `start`'s month for `months` months; return those created."""
    if not is_partitioned():
        return []
    created = []
    month = month_start(start)
    present = existing_partitions()
    for _ in range(months):
        name = partition_name(month)
        if name not in present:
            _create_partition(month, name)
            created.append(name)
        month = next_month(month)
    return created


def _create_partition(month: dt.date, name: str) -> None:
    low, high = _bound(month), _bound(next_month(month))
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows of this month already in the default partition must move, or ATTACH would fail.
        cursor.execute(f"LOCK TABLE {DEFAULT} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE punched_at >= %s AND punched_at < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [low, high],
        )
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [low, high])


def punch_default_partition_check() -> int:
    """Count the rows in the default partition; raise or resolve the operational alert accordingly."""
    if not is_partitioned():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(punched_at), max(punched_at) FROM {DEFAULT}")
        count, earliest, latest = cursor.fetchone()
    if count:
        operational_alert_raise(
            key=ALERT_KEY,
            message=(
                f"{count} punches ({earliest:%Y-%m-%d} – {latest:%Y-%m-%d}) are in {DEFAULT}: create the monthly "
                f"partitions for those months (manage.py punch_partitions --from {earliest:%Y-%m})."
            ),
        )
    else:
        operational_alert_resolve(key=ALERT_KEY)
    return count
