"""gunicorn settings shared by production (docker-compose.yml) and the intake benchmark.

Threads overlap each request's waits on PostgreSQL and Redis. After the application is loaded, its
objects are frozen out of the garbage collector's reach (gc.freeze), so that a full collection does
not walk Django's import-time objects and stall every thread of the worker at once.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# The web: gthread (threads overlap the regulators' pages' database waits). The public pool: sync (docker-compose.yml),
# one request at a time per process behind the proxy, which buffers slow phones: an answer from a kept copy costs
# ~30% less CPU without gthread's poller and thread hand-off (docs/benchmarks.md). Sync needs GUNICORN_THREADS=1
# (gunicorn turns a sync worker with threads into gthread).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# "-" logs requests to stdout (production); GUNICORN_ACCESS_LOG=off turns the access log off.
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG") == "off" else os.environ.get("GUNICORN_ACCESS_LOG", "-")


def on_starting(server):
    """Counters of several workers are kept in PROMETHEUS_MULTIPROC_DIR; a fresh start begins empty."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            os.remove(os.path.join(directory, name))


def post_worker_init(worker):
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
