"""A benchmark's size: the full one of `make bench`, or the smoke size (BENCH_SMOKE=1) that the test suite
runs to prove each benchmark still runs to its end and prints its JSON (tests/bench/test_smoke.py)."""

from __future__ import annotations

import os

SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def pick(full, smoke):
    """`full` for make bench, `smoke` for the suite's smoke run."""
    return smoke if SMOKE else full
