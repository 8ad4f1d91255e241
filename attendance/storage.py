"""The device requests' storage: the one module of the platform that knows which database it talks to.

Devices send the platform's highest request rate (make bench-intake), and compiling an ORM query costs
more than running it, so on PostgreSQL the hot path is hand-written SQL: the signing device's identity
in one statement, the people behind a batch's ID numbers in one, and the punches stored by COPY into a
session staging table and one statement that inserts the idempotency keys, the punches whose key was
new and their daily presence (a single punch: the same statement, prepared per connection). Every
other database (the embedded SQLite default, for trying the product) goes through the ORM only.
Outside this module and the migrations nothing branches on the database.
"""

from __future__ import annotations

import datetime as dt
import io
import weakref
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q

from attendance.models import DailyPresence, Punch, PunchKey
from attendance.rows import COLUMNS, StoredPunch, copy_line, sql_types
from attendance.verdicts import counts_q
from devices.gateway import DeviceIdentity
from devices.models import Device, DeviceNonce
from projects.models import Engagement

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The punch's columns and their SQL types: attendance/rows.py, the one home of the stored punch.
PUNCH_COLUMNS = COLUMNS
PUNCH_TYPES = sql_types()
PRESENCE_COLUMNS = (
    "person_id",
    "project_id",
    "day",
    "first_at",
    "last_at",
    "punch_count",
    "valid_count",
    "first_valid_at",
    "last_valid_at",
    "photo_count",
)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- The signing device ------------------------------------------------------------------------------

_DEVICE_SQL = (
    "SELECT d.id, d.project_id, d.state, d.secret_encrypted, EXISTS ("
    "  SELECT 1 FROM devices_devicenonce n WHERE n.device_id = d.id AND n.nonce = %s"
    "), d.online, d.last_contact_at, d.last_punch_at, d.clock_skew_s FROM devices_device d WHERE d.serial = %s"
)


def device_identity(serial: str, nonce: str) -> DeviceIdentity | None:
    """What the gateway needs of the signing device, and whether the fallback nonce store has seen the
    nonce: one statement."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(_DEVICE_SQL, [nonce, serial])
            row = cursor.fetchone()
    else:
        row = (
            Device.objects.filter(serial=serial)
            .annotate(nonce_seen=Exists(DeviceNonce.objects.filter(device=OuterRef("pk"), nonce=nonce)))
            .values_list(
                "id",
                "project_id",
                "state",
                "secret_encrypted",
                "nonce_seen",
                "online",
                "last_contact_at",
                "last_punch_at",
                "clock_skew_s",
            )
            .first()
        )
    if row is None:
        return None
    return DeviceIdentity(
        pk=row[0],
        serial=serial,
        project_id=row[1],
        state=row[2],
        secret_encrypted=row[3],
        nonce_in_database=bool(row[4]),
        online=bool(row[5]),
        last_contact_at=row[6],
        last_punch_at=row[7],
        clock_skew=row[8] or 0,
    )


# --- The people behind a batch -------------------------------------------------------------------------

Spans = dict[int, list[tuple[dt.date, dt.date | None]]]


def people_with_engagements(project_id: int, digests: set[str]) -> tuple[dict[str, int], Spans]:
    """The person behind each ID number digest who is engaged on the project (ever), and their engagements
    on it (entry, exit). A number held by someone engaged only elsewhere is, on this project, an
    unregistered person (R04): the punch is not linked to anyone, so that nobody learns the name behind a
    number by pushing it through a device of their own (issue 23)."""
    persons: dict[str, int] = {}
    spans: Spans = defaultdict(list)
    if not digests:
        return persons, spans
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id_number_digest, p.id, e.entered_on, e.exited_on FROM projects_person p "
                "JOIN projects_engagement e ON e.person_id = p.id AND e.project_id = %s "
                "WHERE p.id_number_digest = ANY(%s)",
                [project_id, list(digests)],
            )
            rows = cursor.fetchall()
    else:
        engaged = Engagement.objects.filter(project_id=project_id, person__id_number_digest__in=digests)
        rows = list(engaged.values_list("person__id_number_digest", "person_id", "entered_on", "exited_on"))
    for digest, person_id, entered, exited in rows:
        persons[digest] = person_id
        if entered is not None:
            spans[person_id].append((entered, exited))
    return persons, spans


# --- Storing punches -----------------------------------------------------------------------------------


def punches_store(rows: list[StoredPunch]) -> set[str]:
    """Store the rows (one device's, in record-id order) whose idempotency key is new,
    fold them into daily presence, and answer the new record ids: atomically, in the caller's
    transaction if there is one (a single punch on PostgreSQL is one statement, atomic by itself)."""
    if not rows:
        return set()
    if is_postgresql():
        return _store_postgresql(rows)
    return _store_portable(rows)


STAGE = "attendance_punch_stage"


def _store_postgresql(rows: list[StoredPunch]) -> set[str]:
    columns = ", ".join(PUNCH_COLUMNS)
    if len(rows) == 1:
        with connection.cursor() as cursor:
            # The single-punch request, the most frequent: planned once per connection, unless a
            # transaction pooler may hand the next transaction another server connection.
            if settings.SMZ_PREPARED_STATEMENTS:
                _execute_prepared(cursor, "smz_store_one_punch", _store_one_sql(), list(rows[0]))
            else:
                cursor.execute(_store_one_sql_plain(), list(rows[0]))
            return {row[0] for row in cursor.fetchall()}
    # The staging table empties at commit: the COPY and the statement share one transaction.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Not remembered per connection: a rolled-back transaction takes a table it created with it.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM attendance_punch WITH NO DATA"
        )
        buffer = io.StringIO("".join(map(copy_line, rows)))
        cursor.copy_expert(f"COPY {STAGE} ({columns}) FROM STDIN", buffer)
        cursor.execute(_STORE_SQL.format(source=STAGE, columns=columns))
        return {row[0] for row in cursor.fetchall()}


# Statements prepared on each database connection, by name (a reconnect starts afresh).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    raw = connection.connection
    names = _prepared.setdefault(raw, set())
    if name not in names:
        cursor.execute(f"PREPARE {name} AS {sql}")
        names.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


@cache
def _store_one_sql_plain() -> str:
    """The same statement with the driver's placeholders, for a connection with no PREPARE."""
    row = ", ".join(f"%s::{kind}" for kind in PUNCH_TYPES)
    columns = ", ".join(PUNCH_COLUMNS)
    return _STORE_SQL.format(source=f"(VALUES ({row})) AS batch ({columns})", columns=columns)


@cache
def _store_one_sql() -> str:
    row = ", ".join(f"${n}::{kind}" for n, kind in enumerate(PUNCH_TYPES, start=1))
    columns = ", ".join(PUNCH_COLUMNS)
    return _STORE_SQL.format(source=f"(VALUES ({row})) AS batch ({columns})", columns=columns)


def _merged(fn: str, column: str) -> str:
    """NULL-safe LEAST/GREATEST of the stored and the incoming value."""
    table = "attendance_dailypresence"
    return f"{fn}(COALESCE({table}.{column}, EXCLUDED.{column}), COALESCE(EXCLUDED.{column}, {table}.{column}))"


# Rows are taken in key order, so that concurrent batches lock index entries in the same order.
_STORE_SQL = (
    "WITH stage AS (SELECT * FROM {source}), new_keys AS ("
    "  INSERT INTO attendance_punchkey (device_id, record_id) SELECT device_id, record_id FROM stage"
    "  ORDER BY record_id ON CONFLICT DO NOTHING RETURNING record_id"
    "), new_punches AS ("
    "  INSERT INTO attendance_punch ({columns}) SELECT {columns} FROM stage JOIN new_keys USING (record_id)"
    "  RETURNING person_id, project_id, punched_at, valid, photo_sha256"
    "), presence AS ("
    f"  INSERT INTO attendance_dailypresence ({', '.join(PRESENCE_COLUMNS)})"
    "  SELECT person_id, project_id, (punched_at AT TIME ZONE 'Asia/Shanghai')::date, min(punched_at),"
    "    max(punched_at), count(*), count(*) FILTER (WHERE valid), min(punched_at) FILTER (WHERE valid),"
    "    max(punched_at) FILTER (WHERE valid), count(*) FILTER (WHERE valid AND photo_sha256 <> '')"
    "  FROM new_punches WHERE person_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    "  ON CONFLICT (person_id, project_id, day) DO UPDATE SET"
    f"    first_at = {_merged('LEAST', 'first_at')}, last_at = {_merged('GREATEST', 'last_at')},"
    "    punch_count = attendance_dailypresence.punch_count + EXCLUDED.punch_count,"
    "    valid_count = attendance_dailypresence.valid_count + EXCLUDED.valid_count,"
    "    photo_count = attendance_dailypresence.photo_count + EXCLUDED.photo_count,"
    f"    first_valid_at = {_merged('LEAST', 'first_valid_at')}, last_valid_at = {_merged('GREATEST', 'last_valid_at')}"
    "  RETURNING 1"
    ") SELECT record_id FROM new_keys"
)  # {source} and {columns} are filled per call


def _store_portable(rows: list[StoredPunch]) -> set[str]:
    """The ORM's way: the keys not seen before, their punches, then the presence of the days they touch
    recomputed from the punches."""
    device_id = rows[0].device_id
    with transaction.atomic():
        seen = set(
            PunchKey.objects.filter(device_id=device_id, record_id__in=[row.record_id for row in rows]).values_list(
                "record_id", flat=True
            )
        )
        fresh = [row for row in rows if row.record_id not in seen]
        try:
            with transaction.atomic():
                PunchKey.objects.bulk_create([PunchKey(device_id=device_id, record_id=row.record_id) for row in fresh])
        except IntegrityError:
            return _store_portable(rows)  # a concurrent request stored some of them first: look again
        Punch.objects.bulk_create([Punch(**row._asdict()) for row in fresh])
        days = {
            (row.person_id, row.project_id, row.punched_at.astimezone(SHANGHAI).date())
            for row in fresh
            if row.person_id is not None
        }
        presence_refresh(keys=days)
    return {row.record_id for row in fresh}


# --- Daily presence from the punches ---------------------------------------------------------------------


def presence_refresh(*, keys: Iterable[tuple[int, int, dt.date]]) -> int:
    """Recompute daily presence from the punches for the (person, project, day) keys given (the embedded
    default's intake, the demo city, punches found false or reinstated): per day, a grouped query over
    the punches of those people on those projects replaces their presence rows, counting as valid only
    the punches valid at intake and not found false. Presence is a function of the punches, so
    recomputing a neighbouring pair of the same day's people and projects changes nothing."""
    by_day: defaultdict[dt.date, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for person_id, project_id, day in set(keys):
        by_day[day][0].add(person_id)
        by_day[day][1].add(project_id)
    written = 0
    for day, (people, projects) in sorted(by_day.items()):
        start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
        counts = counts_q()  # a punch refused by the device or found false does not count
        with transaction.atomic():
            # The rows are locked first: an intake adding to one of them waits, then adds to the new row.
            stored = DailyPresence.objects.filter(day=day, person_id__in=people, project_id__in=projects)
            list(stored.select_for_update().values_list("pk", flat=True))
            rows = (
                Punch.objects.filter(
                    punched_at__gte=start,
                    punched_at__lt=start + dt.timedelta(days=1),
                    person_id__in=people,
                    project_id__in=projects,
                )
                .values("person_id", "project_id")
                .annotate(
                    first_at=Min("punched_at"),
                    last_at=Max("punched_at"),
                    punch_count=Count("id"),
                    valid_count=Count("id", filter=counts),
                    first_valid_at=Min("punched_at", filter=counts),
                    last_valid_at=Max("punched_at", filter=counts),
                    photo_count=Count("id", filter=counts & ~Q(photo_sha256="")),
                )
            )
            computed = [DailyPresence(day=day, **row) for row in rows]
            stored.delete()
            DailyPresence.objects.bulk_create(computed, batch_size=500)
        written += len(computed)
    return written
