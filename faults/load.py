"""Signed devices that push punches and keep their own ledger of what the platform said it accepted.

Each device retries a batch until the platform answers it (a 503 after its Retry-After, a dropped
connection at once, a 429 after its Retry-After), re-signing each try as a real device does. The
ledger holds every record id the platform confirmed (accepted, or duplicate: stored before) and
every answer's status, so that a scenario can compare it with the database afterwards.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from devices.signing import sign
from faults.stack import WEB_PORT, psql

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Ledger:
    sent: int = 0  # records sent (each once, however often retried)
    sent_ids: set = field(default_factory=set)  # (serial, record_id) sent
    confirmed: set = field(default_factory=set)  # (serial, record_id) the platform confirmed
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    unhinted: int = 0  # 503 and 429 answers without Retry-After

    def answer(self, status: int, headers: dict) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.unhinted += status in (429, 503) and "Retry-After" not in headers


class Device:
    def __init__(
        self, serial: str, secret: str, numbers: list[str], ledger: Ledger, *, offset: int = 0, tag: str = ""
    ) -> None:
        self.serial, self.secret, self.numbers, self.ledger = serial, secret.encode(), numbers, ledger
        self.tag = tag  # in every record id: each scenario's records are its own
        self.offset = offset  # the device clock's error, in seconds
        self.connection: http.client.HTTPConnection | None = None
        self.sequence = 0
        self.rng = random.Random(serial)

    def _conn(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=30)
        return self.connection

    def signed(self, path: str, body: bytes, *, timestamp: int | None = None, nonce: str | None = None) -> dict:
        ts = str(int(time.time()) + self.offset if timestamp is None else timestamp)
        nonce = nonce or secrets.token_urlsafe(16)
        return {
            "Content-Type": "application/json",
            "X-Device-SN": self.serial,
            "X-Timestamp": ts,
            "X-Nonce": nonce,
            "X-Signature": sign(self.secret, "POST", path, ts, nonce, body),
        }

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, dict, dict]:
        """One try: (status, JSON body, headers); status 0 when the connection failed. A kept-alive
        connection the server has since closed is opened again once, as an HTTP client library does."""
        for attempt in (1, 2):
            reused = self.connection is not None
            try:
                connection = self._conn()
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                if not (reused and attempt == 1):
                    return 0, {}, {}
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {"raw": raw[:200].decode("utf-8", "replace")}
        return response.status, data, dict(response.getheaders())

    def records(self, n: int, *, day: dt.date | None = None, photo: str | None = None) -> list[dict]:
        now = dt.datetime.now(SHANGHAI)
        out = []
        for _ in range(n):
            self.sequence += 1
            at = now - dt.timedelta(seconds=self.rng.randint(0, 600))
            if day is not None:
                at = dt.datetime.combine(day, dt.time(7, self.rng.randint(0, 59)), tzinfo=SHANGHAI)
            record = {
                "record_id": f"{self.serial}-{self.tag}{self.sequence:07d}",
                "id_number": self.rng.choice(self.numbers),
                "punched_at": at.isoformat(timespec="seconds"),
                "direction": "in",
                "method": "face",
                "liveness": True,
                "match_score": 0.93,
            }
            if photo is not None:
                record["photo"] = photo
            out.append(record)
        return out

    def push(self, records: list[dict], *, deadline: float, give_up_on: tuple[int, ...] = ()) -> int:
        """Send a batch until answered (or `deadline`); return the final status. Records are counted as
        sent once; the ledger takes each record's answer."""
        with self.ledger.lock:
            fresh = {(self.serial, r["record_id"]) for r in records} - self.ledger.sent_ids
            self.ledger.sent += len(fresh)
            self.ledger.sent_ids |= fresh
        body = json.dumps({"punches": records}).encode()
        while True:
            status, data, headers = self.post(
                "/api/device/v1/punches", body, self.signed("/api/device/v1/punches", body)
            )
            self.ledger.answer(status, headers)
            if status == 200:
                with self.ledger.lock:
                    for result in data["results"]:
                        if result["status"] in ("accepted", "duplicate"):
                            self.ledger.confirmed.add((self.serial, result["record_id"]))
                        self.ledger.accepted += result["status"] == "accepted"
                        self.ledger.duplicates += result["status"] == "duplicate"
                        self.ledger.rejected += result["status"] == "rejected"
                return 200
            if status == 401 and data.get("code") == "stale_timestamp" and "server_time" in data:
                self.offset += int(data["server_time"]) - int(time.time() + self.offset)  # set the clock
                continue
            if status in give_up_on or time.time() > deadline:
                return status
            retry = headers.get("Retry-After")
            time.sleep(min(float(retry), 1.0) if retry else 0.2)


def run_load(
    devices: list[Device],
    *,
    seconds: float,
    drain: float = 90,
    stop: threading.Event | None = None,
    batch_sizes=(1, 20),
) -> None:
    """Every device pushes batches of 1–20 back to back for `seconds`, then finishes what it started."""
    end = time.time() + seconds

    def loop(device: Device) -> None:
        while time.time() < end and not (stop and stop.is_set()):
            device.push(device.records(device.rng.randint(*batch_sizes)), deadline=end + drain)
            time.sleep(device.rng.uniform(0.01, 0.05))

    threads = [threading.Thread(target=loop, args=(d,), daemon=True) for d in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Check:
    """The ledger against the database, and the database against itself."""

    sent: int
    accepted: int
    stored: int
    duplicated: int
    lost: int
    presence_mismatches: int
    alerts_doubled: int
    statuses: dict


def check(ledger: Ledger, serials: list[str], database: str) -> Check:
    quoted = ",".join(f"'{s}'" for s in serials)
    rows = psql(
        "SELECT d.serial, p.record_id FROM attendance_punch p JOIN devices_device d ON d.id = p.device_id "
        f"WHERE d.serial IN ({quoted})",
        database,
    )
    # Only this scenario's records: a device may have pushed in an earlier one.
    stored = [key for key in (tuple(line.split("|")) for line in rows.splitlines() if line) if key in ledger.sent_ids]
    distinct = set(stored)
    # Presence equals a recomputation from the punches (person × project × Shanghai day).
    mismatches = int(
        psql(
            """
        WITH computed AS (
            SELECT person_id, project_id, (punched_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
                   count(*) AS n, min(punched_at) AS first_at, max(punched_at) AS last_at
            FROM attendance_punch WHERE person_id IS NOT NULL GROUP BY 1, 2, 3),
        kept AS (SELECT person_id, project_id, day, punch_count AS n, first_at, last_at FROM attendance_dailypresence)
        SELECT (SELECT count(*) FROM (SELECT * FROM computed EXCEPT SELECT * FROM kept) a)
             + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM computed) b)
    """,
            database,
        )
    )
    doubled = int(
        psql("SELECT count(*) FROM (SELECT key FROM inspections_alert GROUP BY key HAVING count(*) > 1) a", database)
    )
    return Check(
        sent=ledger.sent,
        accepted=ledger.accepted,
        stored=len(distinct),
        duplicated=len(stored) - len(distinct),
        lost=len(ledger.confirmed - distinct),
        presence_mismatches=mismatches,
        alerts_doubled=doubled,
        statuses=dict(ledger.statuses),
    )
