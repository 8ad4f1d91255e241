"""manage.py run_rules [--date D | --from D --to D] (docs/operations.md): the nightly run, by hand."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inspections.engine import RunInProgress, rules_run

MAX_RANGE_DAYS = 400


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option} {value!r} is not a date like 2026-11-24.") from exc


class Command(BaseCommand):
    help = "Evaluate every rule for a day (default: yesterday, Asia/Shanghai) or each day of a range."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day, YYYY-MM-DD")
        parser.add_argument("--from", dest="start", help="first day of a range")
        parser.add_argument("--to", dest="end", help="last day of a range")

    def handle(self, *args, date: str | None, start: str | None, end: str | None, **options):
        today = timezone.localdate()
        if date and (start or end):
            raise CommandError("Give --date, or --from and --to, not both.")
        if bool(start) != bool(end):
            raise CommandError("--from and --to go together.")
        if start:
            first, last = _date(start, "--from"), _date(end, "--to")
        else:
            first = last = _date(date, "--date") if date else today - dt.timedelta(days=1)
        if last < first:
            raise CommandError("--to is before --from.")
        if last >= today:
            raise CommandError(
                f"{last} has not ended yet: rules judge finished days (up to {today - dt.timedelta(days=1)})."
            )
        if (last - first).days >= MAX_RANGE_DAYS:
            raise CommandError(f"A range is at most {MAX_RANGE_DAYS} days.")
        day = first
        while day <= last:
            try:
                results = rules_run(day=day)
            except RunInProgress as exc:
                raise CommandError("Another run of the rules is in progress; try again when it has finished.") from exc
            self.stdout.write(f"{day}:")
            for r in results:
                self.stdout.write(
                    f"  {r.rule}: {r.findings} findings, {r.counts.new} new, {r.counts.updated} updated, "
                    f"{r.counts.resolved} resolved ({r.duration_ms} ms)"
                )
            day += dt.timedelta(days=1)
