"""The morning peak, for locust (bench/load.py prepares the city and starts this; docs/benchmarks.md).

Two kinds of user:

- **DeviceUser**, one per signed device of the plan: a heartbeat every minute and a batch of 1–20
  punches every BATCH_PERIOD seconds, each on a fixed schedule from a random phase. The next request
  is due at its scheduled time whatever the last answer took (the device's own clock), so the
  arrival rate does not fall when the server slows: an open model as long as an answer takes less
  than the period (seconds here against a minute). Each batch checks its per-record answers; the
  accepted record ids are counted, and written out at the end for bench/load.py to compare with
  the database.
- **RegulatorUser**: city and district accounts logged in through the login page, browsing the
  dashboard (think time 2–6 s) and now and then downloading Annex 1 of the benchmark month.

The anonymous crowd of issue 28 is not here: bench/crowd.py, a generator of its own (asyncio; locust cost it
more CPU than the platform's answers did).

Devices use locust's FastHttpUser (geventhttpclient): the generator shares the platform's two cores, and
python-requests spent a core of its own on them — time the platform's answers were measured in.

Environment: SMZ_LOAD_PLAN (the plan's JSON), SMZ_LOAD_LEDGER (where the ledger is written),
SMZ_LOAD_PAGE_TIMES (where the regulators' page times are written, when set), SMZ_LOAD_BATCH_PERIOD (seconds
between a device's batches), SMZ_LOAD_REGULATORS, SMZ_LOAD_RUN (the prefix of this run's
record ids).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, HttpUser, between, constant, events, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from devices.signing import sign  # pure: no Django

PLAN = json.loads(Path(os.environ["SMZ_LOAD_PLAN"]).read_text(encoding="utf-8"))
BATCH_PERIOD = float(os.environ.get("SMZ_LOAD_BATCH_PERIOD", "105"))
BEAT_PERIOD = 60.0
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RUN = os.environ.get("SMZ_LOAD_RUN", PLAN["run"])  # a phase's own prefix: its record ids are new
DEVICES = iter(PLAN["devices"])
ACCOUNTS = itertools.cycle(PLAN["regulators"])
LEDGER = {"sent": 0, "accepted": 0, "duplicate": 0, "rejected": 0, "batches": 0, "heartbeats": 0, "ids": []}


def _said(response) -> str:
    """What an answer said, for its failure: its text, or the connection's error when there was no answer (status 0:
    FastHttpUser's text is then None, and formatting it raised inside the task, hiding the failure's cause)."""
    return str(response.text or getattr(response, "error", None) or "")[:200]


class DeviceUser(FastHttpUser):
    fixed_count = len(PLAN["devices"])
    wait_time = constant(0)

    def on_start(self) -> None:
        plan = next(DEVICES)
        self.serial, self.secret, self.numbers = plan["serial"], plan["secret"].encode(), plan["numbers"]
        self.rng = random.Random(self.serial)
        self.sequence = 0
        now = time.time()
        self.next_batch = now + self.rng.uniform(0, BATCH_PERIOD)
        self.next_beat = now + self.rng.uniform(0, BEAT_PERIOD)

    def _post(self, path: str, payload: dict, name: str):
        body = json.dumps(payload).encode()
        ts, nonce = str(int(time.time())), secrets.token_urlsafe(16)
        headers = {
            "Content-Type": "application/json",
            "X-Device-SN": self.serial,
            "X-Timestamp": ts,
            "X-Nonce": nonce,
            "X-Signature": sign(self.secret, "POST", path, ts, nonce, body),
        }
        return self.client.post(path, data=body, headers=headers, name=name, catch_response=True)

    @task
    def tick(self) -> None:
        due = min(self.next_batch, self.next_beat)
        if due > time.time():
            gevent.sleep(due - time.time())
        if self.next_batch <= self.next_beat:
            self.next_batch += BATCH_PERIOD
            self._batch()
        else:
            self.next_beat += BEAT_PERIOD
            with self._post(
                "/api/device/v1/heartbeat", {"liveness_enabled": True, "firmware": "load-1.0"}, "device heartbeat"
            ) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code} {_said(response)}")
                LEDGER["heartbeats"] += 1

    def _batch(self) -> None:
        now = dt.datetime.now(SHANGHAI)
        records = []
        for _ in range(self.rng.randint(1, 20)):
            self.sequence += 1
            at = now - dt.timedelta(seconds=self.rng.randint(0, 120))
            records.append(
                {
                    "record_id": f"L{RUN}-{self.serial}-{self.sequence:06d}",
                    "id_number": self.rng.choice(self.numbers),
                    "punched_at": at.isoformat(timespec="seconds"),
                    "direction": "in",
                    "method": "face",
                    "liveness": True,
                    "match_score": 0.93,
                }
            )
        LEDGER["sent"] += len(records)
        LEDGER["batches"] += 1
        with self._post("/api/device/v1/punches", {"punches": records}, "device punches") as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} {_said(response)}")
                return
            answer = response.json()
            for outcome, key in (("accepted", "accepted"), ("duplicate", "duplicates"), ("rejected", "rejected")):
                LEDGER[outcome] += answer[key]
            LEDGER["ids"].extend(r["record_id"] for r in answer["results"] if r["status"] in ("accepted", "duplicate"))
            if answer["accepted"] != len(records):
                response.failure(f"{len(records)} sent, {answer['accepted']} accepted: {answer['results'][:3]}")


class RegulatorUser(HttpUser):
    fixed_count = int(os.environ.get("SMZ_LOAD_REGULATORS", "10"))
    wait_time = between(2, 6)
    # Behind the TLS proxy of production: the platform sees https (secure cookies, CSRF's origin check).
    proxied = {"X-Forwarded-Proto": "https"}

    def on_start(self) -> None:
        # A browser sends a page's GET again, once, when the kept-alive connection it reused turns out closed
        # before any answer came (gunicorn closes an idle one after 2 s, a regulator reads a page 2–6 s: both
        # at once is a race no server wins). Without this, each such race was a failed request of the run.
        self.client.mount(self.host, HTTPAdapter(max_retries=Retry(total=1, connect=1, read=1, status=0)))
        self.account = next(ACCOUNTS)
        origin = f"https://{self.host.split('://', 1)[1]}"
        self.client.get("/login/", headers=self.proxied, name="login page")
        self._cookies_over_http()
        answer = self.client.post(
            "/login/",
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={**self.proxied, "Origin": origin, "Referer": f"{origin}/login/"},
            name="login",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login of {self.account['username']} answered {answer.status_code}")
        self._cookies_over_http()

    def _cookies_over_http(self) -> None:
        # The load runs over loopback HTTP; the cookies are marked Secure for the proxy's https, and
        # every answer sets the session cookie again (its idle deadline moves).
        for cookie in self.client.cookies:
            cookie.secure = False

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, headers=self.proxied, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/login/" in response.url:
                response.failure(f"{response.status_code} at {response.url}")
        self._cookies_over_http()

    @task(4)
    def overview(self) -> None:
        self._page(self.account["home"], "page: overview")

    @task(3)
    def alerts(self) -> None:
        self._page("/alerts/?state=open", "page: alert triage")

    def _one_of(self, kind: str, url: str, name: str) -> None:
        if self.account[kind]:  # a district of the smoke city may hold none
            self._page(url.format(random.choice(self.account[kind])), name)

    @task(3)
    def project(self) -> None:
        self._one_of("projects", f"/projects/{{}}/?month={PLAN['month']}", "page: project")

    @task(2)
    def alert(self) -> None:
        self._one_of("alerts", "/alerts/{}/", "page: alert evidence")

    @task(2)
    def device(self) -> None:
        self._one_of("devices", "/devices/{}/", "page: device")

    @task(1)
    def projects(self) -> None:
        self._page("/projects/", "page: projects list")

    @task(1)
    def reports(self) -> None:
        self._page("/reports/", "page: reports")

    @task(1)
    def annex1(self) -> None:
        query = f"from={PLAN['first']}&to={PLAN['last']}" + self.account["annex1"]
        with self.client.get(
            f"/reports/annex1.xlsx?{query}", headers=self.proxied, name="Annex 1 download", catch_response=True
        ) as response:
            if response.status_code != 200 or not response.content.startswith(b"PK"):
                response.failure(f"{response.status_code} {_said(response)}")
        self._cookies_over_http()


# Every regulator's page time (ms), pooled: a page's own p99 over ten minutes is one of its few slowest answers, the
# pooled p99 the regulators' experience (bench/load.py judges the crowd on it).
PAGE_TIMES: list[float] = []


@events.request.add_listener
def _page_time(request_type, name, response_time, response_length, exception, **kwargs) -> None:
    if name.startswith("page: "):
        PAGE_TIMES.append(response_time)


@events.quitting.add_listener
def _write_ledger(environment, **kwargs) -> None:
    Path(os.environ["SMZ_LOAD_LEDGER"]).write_text(json.dumps(LEDGER), encoding="utf-8")
    if os.environ.get("SMZ_LOAD_PAGE_TIMES"):
        Path(os.environ["SMZ_LOAD_PAGE_TIMES"]).write_text(json.dumps(PAGE_TIMES), encoding="utf-8")
