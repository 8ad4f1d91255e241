"""On PostgreSQL, make the punch table a table partitioned by month of punched_at.

The table 0001 created is empty; it is replaced by a partitioned one with the same columns, the
primary key (id, punched_at) that partitioning requires and the indexes of Punch.Meta (no foreign
keys, as the model says), then a default partition and the monthly partitions from two years back to three months
ahead. Other databases keep the plain table.
"""

import datetime as dt

from django.db import migrations

SQL = """
CREATE TABLE attendance_punch_p (LIKE attendance_punch INCLUDING DEFAULTS INCLUDING IDENTITY)
    PARTITION BY RANGE (punched_at);
DROP TABLE attendance_punch;
ALTER TABLE attendance_punch_p RENAME TO attendance_punch;
ALTER TABLE attendance_punch ADD CONSTRAINT attendance_punch_pkey PRIMARY KEY (id, punched_at);
CREATE INDEX punch_project_time ON attendance_punch (project_id, punched_at);
CREATE INDEX punch_person_time ON attendance_punch (person_id, punched_at);
CREATE INDEX punch_photo ON attendance_punch (photo_sha256) WHERE NOT (photo_sha256 = '');
CREATE TABLE attendance_punch_default PARTITION OF attendance_punch DEFAULT;
"""


def month_bound(month: dt.date) -> str:
    return f"{month.isoformat()} 00:00:00+08"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SQL)
    today = dt.date.today()
    month = dt.date(today.year - 2, today.month, 1)
    for _ in range(24 + 4):
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        schema_editor.execute(
            f"CREATE TABLE attendance_punch_y{month.year}m{month.month:02d} PARTITION OF attendance_punch "
            f"FOR VALUES FROM ('{month_bound(month)}') TO ('{month_bound(following)}')"
        )
        month = following


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_initial")]
    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
