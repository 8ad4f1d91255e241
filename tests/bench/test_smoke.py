"""Every benchmark still runs to its end: each at its smoke size (BENCH_SMOKE=1), against the real
PostgreSQL (and, for the intake, a real gunicorn), printing its JSON figures as its last line."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Each benchmark and the figures its last line must carry.
BENCHMARKS = [
    ("intake.py", {"batch_punches_per_s", "raw_rows_per_s", "ratio", "single_requests_per_s", "single_p99_ms"}),
    ("rules.py", {"night_s", "month_s", "peak_rss_mb", "doubling_ratio", "preview_s"}),
    ("reports.py", {"district_median_s", "district_max_s", "city_median_s", "city_max_s"}),
    ("dashboard.py", {"city overview", "district page", "project page", "alert triage", "reports page"}),
    (
        "province.py",
        {
            "night_whole_s",
            "night_1_worker_s",
            "night_2_workers_s",
            "speedup",
            "peak_rss_mb_per_worker",
            "disk_gb",
            "punches",
            "overview_ms",
            "overview_count_s",
            "annex1_s",
        },
    ),
    (
        "sync.py",
        {
            "punches",
            "payrolls",
            "send_s",
            "accepted",
            "failed",
            "intake_alone_per_s",
            "intake_sharing_per_s",
            "intake_ratio",
            "intake_errors",
        },
    ),
    ("wages.py", {"import_s", "bank_s", "wage_rules_s", "night_s", "arrears_ms", "arrears_district_ms"}),
    (
        "load.py",
        {
            "requests",
            "failures",
            "punches_per_s",
            "lost",
            "intake_p99_ms",
            "pages_p99_ms",
            "crowd_ratio",
            "public_p99_ms",
            "memory_growth_pct",
        },
    ),
]


@pytest.mark.parametrize(("script", "figures"), BENCHMARKS, ids=[name for name, _ in BENCHMARKS])
def test_the_benchmark_runs_to_its_end_and_prints_its_figures(script, figures):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST"))}
    # The benchmarks that copy the reports' smoke city use the one reports.py built before them (or build it).
    env.update(BENCH_SMOKE="1", BENCH_SMOKE_REUSE="1" if script in ("dashboard.py", "sync.py", "load.py") else "0")
    started = time.time()
    result = subprocess.run(
        [sys.executable, f"bench/{script}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures <= set(last), last
    assert all(isinstance(value, int | float) and value >= 0 for value in last.values()), last
    if script == "sync.py":  # every record went up, and the intake answered every batch while they did
        assert last["accepted"] == last["punches"] + last["payrolls"] and last["failed"] == 0, last
        assert last["intake_errors"] == 0, result.stdout[-3000:]
    if script == "load.py":  # each half's p99 in the order run (the smoke run has one of each), the crowd warmed up
        assert re.search(r"by half, in the order run: alone1 \d+ ms \(\d+\), crowd2 \d+ ms", result.stdout), (
            result.stdout
        )
        # The crowd went through nginx with deploy/nginx.conf, whose cache answered some of it.
        assert re.search(r"answered \d+% of the crowd's \d+ requests from its cache .*HIT \d+", result.stdout), (
            result.stdout[-3000:]
        )
        warmed = ROOT / "var" / "bench-load" / "crowd-warm0_stats.csv"
        assert warmed.exists() and warmed.stat().st_mtime >= started, "the crowd did not come in the warm-up"
