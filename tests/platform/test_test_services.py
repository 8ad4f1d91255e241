"""make test stops what it started (issue 26): the replica and pgbouncer that scripts/test-services.sh
starts for a run are gone when the run ends, pass or fail; ones already running are left alone. A
standby left behind would replay every later write of the machine, benchmarks included.

The script runs here on ports of its own (5434, 6434), beside the replica and pgbouncer that this
very suite runs with."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"REPLICA_PORT": "5434", "PGBOUNCER_PORT": "6434"}
ENV = {"PATH": os.environ["PATH"], **PORTS}  # not the suite's own ports


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/test-services.sh", *command], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600
    )


def _running(service: str) -> bool:
    return subprocess.run(["bash", f"scripts/{service}.sh", "status"], cwd=ROOT, env=ENV).returncode == 0


def _both_up() -> str:
    """A command that fails unless both services answer while it runs, as the suite needs them."""
    return "bash scripts/replica.sh status && bash scripts/pgbouncer.sh status"


def test_a_run_that_fails_still_stops_the_replica_and_pgbouncer_it_started():
    assert not _running("replica") and not _running("pgbouncer")
    passed = _run("bash", "-c", _both_up())
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert not _running("replica") and not _running("pgbouncer"), passed.stdout
    failed = _run("bash", "-c", f"{_both_up()} && exit 3")
    assert failed.returncode == 3, failed.stdout + failed.stderr  # the suite's own verdict comes through
    assert "replica: stopped" in failed.stdout and "pgbouncer: stopped" in failed.stdout
    assert not _running("replica") and not _running("pgbouncer")


def test_services_that_were_already_running_are_left_running():
    subprocess.run(["bash", "scripts/pgbouncer.sh", "start"], cwd=ROOT, env=ENV, check=True, capture_output=True)
    try:
        answer = _run("bash", "-c", _both_up())
        assert answer.returncode == 0, answer.stdout + answer.stderr
        assert "pgbouncer was already running; it is left running" in answer.stdout
        assert _running("pgbouncer") and not _running("replica")
    finally:
        subprocess.run(["bash", "scripts/pgbouncer.sh", "stop"], cwd=ROOT, env=ENV, capture_output=True)
