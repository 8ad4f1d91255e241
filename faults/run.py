"""make test-faults: the platform under real faults (issue 16; docs/operations.md).

Starts, on loopback, its own Redis, a gunicorn (2 workers × 4 threads) and Celery workers against the
machine's PostgreSQL (a database of its own), then runs each scenario: PostgreSQL restarted and
Redis killed under the load of signed devices, a worker killed in the middle of the nightly run, two
beats at once for an hour of schedule, the media volume full, and a skewed clock, a week's backlog,
the same batch from two connections. Each scenario compares the devices' own ledger with the
database and prints records sent, accepted, stored, duplicated (0) and lost (0), and the facts it
checked. Stops every process it started; exits 1 if any fact is false. Needs root (it restarts
PostgreSQL and mounts a small tmpfs for the media).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faults import stack  # noqa: E402
from faults.scenarios import SCENARIOS, seed  # noqa: E402


def main() -> int:
    if os.geteuid() != 0:
        print("make test-faults restarts PostgreSQL and mounts a tmpfs: run it as root (CI does).")
        return 2
    started = time.time()
    st = stack.Stack()
    failures, only = [], set()
    try:
        st.media()
        st.redis_start()
        st.database()
        plan = seed()
        st.web_start()
        print(
            f"stack up in {time.time() - started:.0f} s: gunicorn :{stack.WEB_PORT}, redis :{stack.REDIS_PORT}, "
            f"{len(plan)} devices",
            flush=True,
        )
        # SMZ_FAULTS_ONLY=2,5 runs those scenarios alone (while working on one).
        only |= {int(n) for n in os.environ.get("SMZ_FAULTS_ONLY", "").split(",") if n.strip().isdigit()}
        for number, (title, scenario) in enumerate(SCENARIOS, start=1):
            if only and number not in only:
                continue
            began = time.time()
            print(f"\n{title}", flush=True)
            try:
                result, facts = scenario(st, plan)
            except Exception:  # a scenario that breaks is a failure, and the others still run
                traceback.print_exc()
                failures.append(title)
                continue
            figures = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else result
            for key, value in figures.items():
                print(f"  {key}: {value}")
            if dataclasses.is_dataclass(result):
                facts = {
                    **facts,
                    "no record stored twice": result.duplicated == 0,
                    "no record lost": result.lost == 0,
                    "presence equals the punches": result.presence_mismatches == 0,
                    "no alert counted twice": result.alerts_doubled == 0,
                }
            for fact, holds in facts.items():
                print(f"  [{'ok' if holds else 'FAILED'}] {fact}")
                if not holds:
                    failures.append(f"{title}: {fact}")
            print(f"  ({time.time() - began:.0f} s)", flush=True)
    finally:
        st.stop_all()
        if not stack.port_open(5432):
            stack.pg_start()
    ran = len(only) if only else len(SCENARIOS)
    print(
        f"\nfault suite: {ran} scenarios in {time.time() - started:.0f} s; "
        f"{'all facts hold' if not failures else f'{len(failures)} failed'}"
    )
    for failure in failures:
        print(f"  FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
