"""Month-end presence of every project at once (R11, R16): set-based, for the nightly run on PostgreSQL.

The construction days of each project (from the calendar, the one place that knows them) go into a
temporary table with the project's valid-day settings; two aggregate queries over daily presence
then count, for every manager engagement, required and attended days, and for every project and
construction day, engaged and attended workers. The pure functions of inspections.presence turn the
counts into results, so that this path and the per-project one (the presence API) give the same
answers (tests/inspections/test_monthly.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from inspections.presence import ManagerPresence, WorkerPresence, manager_result, worker_result

TEMP = "inspections_construction_day"


def policy_settings(policy) -> dict:
    """What month_presence needs of a project's policy."""
    return {
        "min_punches": policy.valid_min_punches, "min_span_hours": policy.valid_min_span_hours,
        "requires_photo": policy.valid_requires_photo,
        "key_positions": policy.r11_key_positions, "key_ratio": policy.r11_key_ratio,
        "other_ratio": policy.r11_other_ratio, "worker_rate": policy.r16_worker_rate,
    }  # fmt: skip


def month_presence(
    *, month_days_by_project: dict[int, tuple[list[dt.date], list[dt.date]]], settings: dict[int, dict]
) -> dict[int, tuple[list[ManagerPresence], WorkerPresence]]:
    """`month_days_by_project`: project → (construction days, days managers are held to);
    `settings`: project → {min_punches, min_span_hours, key_positions, key_ratio, other_ratio, worker_rate}."""
    rows = io.StringIO()
    for project_id, (days, manager_days) in month_days_by_project.items():
        held = set(manager_days)
        span = float(settings[project_id]["min_span_hours"]) * 3600
        for day in days:
            photo = "t" if settings[project_id].get("requires_photo") else "f"
            rows.write(f"{project_id}\t{day.isoformat()}\t{'t' if day in held else 'f'}\t"
                       f"{settings[project_id]['min_punches']}\t{span}\t{photo}\n")  # fmt: skip
    rows.seek(0)
    managers: dict[int, list[ManagerPresence]] = defaultdict(list)
    daily: dict[int, list[tuple[int, int]]] = defaultdict(list)
    engaged: dict[int, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Inside an outer transaction the table of an earlier call is still there (ON COMMIT DROP
        # waits for the outermost commit).
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP}")
        cursor.execute(
            f"CREATE TEMP TABLE {TEMP} (project_id bigint, day date, for_managers boolean, min_punches int, "
            "min_span_s double precision, requires_photo boolean) ON COMMIT DROP"
        )
        cursor.copy_expert(f"COPY {TEMP} FROM STDIN", rows)
        cursor.execute(f"ANALYZE {TEMP}")
        valid = (
            "p.person_id = e.person_id AND p.project_id = e.project_id AND p.day = c.day "
            "AND (CASE WHEN c.requires_photo THEN p.photo_count ELSE p.valid_count END) >= c.min_punches "
            "AND (c.min_span_s = 0 OR extract(epoch FROM p.last_valid_at - p.first_valid_at) >= c.min_span_s)"
        )
        cursor.execute(
            "SELECT e.project_id, e.id, person.name, person.id_number_masked, e.position, count(c.day), count(p.id) "
            "FROM projects_engagement e JOIN projects_person person ON person.id = e.person_id "
            f"LEFT JOIN {TEMP} c ON c.project_id = e.project_id AND c.for_managers AND c.day >= e.entered_on "
            "  AND (e.exited_on IS NULL OR c.day <= e.exited_on) "
            f"LEFT JOIN attendance_dailypresence p ON {valid} "
            f"WHERE e.category = 'manager' AND e.project_id IN (SELECT DISTINCT project_id FROM {TEMP}) "
            "  AND e.entered_on <= %s AND (e.exited_on IS NULL OR e.exited_on >= %s) "
            "GROUP BY e.project_id, e.id, person.name, person.id_number_masked, e.position "
            "ORDER BY e.project_id, e.position, e.id",
            [_last(month_days_by_project), _first(month_days_by_project)],
        )
        for project_id, engagement, name, masked, position, required, attended in cursor.fetchall():
            s = settings[project_id]
            managers[project_id].append(
                manager_result(
                    engagement,
                    name,
                    masked,
                    position,
                    attended,
                    required,
                    key_positions=s["key_positions"],
                    key_ratio=s["key_ratio"],
                    other_ratio=s["other_ratio"],
                )  # fmt: skip
            )
        cursor.execute(
            "SELECT c.project_id, c.day, count(e.id), count(p.id), count(DISTINCT e.id) "
            f"FROM {TEMP} c JOIN projects_engagement e ON e.project_id = c.project_id AND e.category = 'worker' "
            "  AND e.entered_on <= c.day AND (e.exited_on IS NULL OR e.exited_on >= c.day) "
            f"LEFT JOIN attendance_dailypresence p ON {valid} "
            "GROUP BY c.project_id, c.day"
        )
        for project_id, _day, engaged_count, attended, _distinct in cursor.fetchall():
            daily[project_id].append((attended, engaged_count))
        cursor.execute(
            "SELECT c.project_id, count(DISTINCT e.id) "
            f"FROM {TEMP} c JOIN projects_engagement e ON e.project_id = c.project_id AND e.category = 'worker' "
            "  AND e.entered_on <= c.day AND (e.exited_on IS NULL OR e.exited_on >= c.day) GROUP BY c.project_id"
        )
        engaged = dict(cursor.fetchall())
    return {
        project_id: (
            managers.get(project_id, []),
            worker_result(
                daily.get(project_id, []),
                engaged.get(project_id, 0),
                threshold=Decimal(str(settings[project_id]["worker_rate"])),
            ),  # fmt: skip
        )
        for project_id in month_days_by_project
    }


def _first(by_project) -> dt.date:
    return min((days[0] for days, _m in by_project.values() if days), default=dt.date.min)


def _last(by_project) -> dt.date:
    return max((days[-1] for days, _m in by_project.values() if days), default=dt.date.min)
