"""manage.py punch_partitions: create monthly punch partitions (and move rows out of the default one)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from attendance.partitions import is_partitioned, punch_default_partition_check, punch_partitions_ensure


class Command(BaseCommand):
    help = "Create the monthly partitions of the punch table from --from (YYYY-MM) for --months months."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
        parser.add_argument("--months", type=int, default=1)

    def handle(self, *args, start: str, months: int, **options):
        try:
            first = dt.datetime.strptime(start, "%Y-%m").date()
        except ValueError as exc:
            raise CommandError(f"--from {start!r} is not a month like 2026-11.") from exc
        if not 1 <= months <= 120:
            raise CommandError("--months must be between 1 and 120.")
        if not is_partitioned():
            self.stdout.write("This database does not partition punches (SQLite); nothing to do.")
            return
        created = punch_partitions_ensure(start=first, months=months)
        self.stdout.write(f"Created {len(created)} partition(s): {', '.join(created) or '-'}")
        left = punch_default_partition_check()
        self.stdout.write(f"Rows left in the default partition: {left}")
