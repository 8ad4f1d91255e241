"""The platform as it runs in production, started for the fault suite on loopback: its own Redis (so
that it can be killed), a gunicorn, Celery workers, against the machine's PostgreSQL in a database of
its own. Every process started here is stopped by `Stack.stop()` (also on failure)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable

from smz_platform.common.template_db import template_ensure  # noqa: E402

DB = "smz_faults"
CITY_DB = "smz_faults_city"
REDIS_PORT = 6391
WEB_PORT = 8391
MEDIA = Path("/tmp/smz-faults-media")
LEASE_SECONDS = 5


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_until(check, *, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def environment(database: str = DB) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
            "DJANGO_SETTINGS_MODULE": "smz_platform.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "off",
            "SMZ_LOG_FORMAT": "plain",
            "SMZ_MEDIA_ROOT": str(MEDIA),
            "SMZ_RULES_RUN_LEASE_SECONDS": str(LEASE_SECONDS),
            "SMZ_RULES_PART_PROJECTS": "40",  # the killed-worker city's 400 projects: a part per district
            "SMZ_DEVICE_REQUESTS_PER_MINUTE": "300",
            "SMZ_DEVICE_SOURCE_REQUESTS_PER_MINUTE": "100000000",
            "DJANGO_CONN_MAX_AGE": "60",
        }
    )
    return env


def pg_cluster() -> tuple[str, str]:
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]
    return version, "main"


def pg_stop() -> None:
    version, name = pg_cluster()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "fast"], check=True)


def pg_start() -> None:
    version, name = pg_cluster()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"], check=True)
    wait_until(lambda: port_open(5432), timeout=30, what="PostgreSQL")
    time.sleep(0.5)


def psql(sql: str, database: str = DB) -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAXqc", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def django(script: str, database: str = DB) -> dict:
    """Run Django code against the fault database in its own process; it prints one JSON line."""
    code = "import django, json\ndjango.setup()\n" + script
    result = subprocess.run([PY, "-c", code], cwd=ROOT, env=environment(database), capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


class Stack:
    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = Path("/tmp/smz-faults-logs")
        self.logs.mkdir(exist_ok=True)
        self.mounted = False

    # --- lifecycle -------------------------------------------------------------------------------

    def database(self, name: str = DB) -> None:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", "postgres")
        psql(f"CREATE DATABASE {name} TEMPLATE {template_ensure()}", "postgres")  # migrated already: a copy
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment(name), check=True)

    def media(self, size_kb: int = 2048) -> None:
        """The media root on a small tmpfs of its own, so that scenario 5 can fill it."""
        MEDIA.mkdir(exist_ok=True)
        if os.path.ismount(MEDIA):
            subprocess.run(["umount", str(MEDIA)], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(MEDIA)], check=True)
        self.mounted = True

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process's life)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def redis_start(self) -> None:
        self._start(
            "redis",
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            dict(os.environ),
        )
        wait_until(lambda: port_open(REDIS_PORT), timeout=10, what="Redis")

    def redis_kill(self) -> None:
        process = self.processes.pop("redis")
        process.send_signal(signal.SIGKILL)
        process.wait()

    def web_start(self, database: str = DB) -> None:
        self._start(
            "web",
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "smz_platform.wsgi:application",
                "--config",
                "python:smz_platform.gunicorn_conf",
                "--workers",
                "2",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{WEB_PORT}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            environment(database),
        )
        wait_until(lambda: port_open(WEB_PORT), timeout=30, what="gunicorn")

    def worker_start(self, name: str, database: str = DB) -> subprocess.Popen:
        return self._start(
            name,
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "smz_platform",
                "worker",
                "--loglevel",
                "WARNING",
                "--concurrency",
                "1",
                "-n",
                f"{name}@faults",
                "--without-gossip",
                "--without-mingle",
            ],
            environment(database),
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        if self.mounted and os.path.ismount(MEDIA):
            subprocess.run(["umount", "-l", str(MEDIA)], check=False)
            self.mounted = False
