"""gunicorn settings for `make run` and production; the port comes from settings-free PORT."""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# Overload is shed, not queued (api/admission.py): each worker (gthread, stamping when each
# request was queued: gunicorn_worker.py) serves MAX_CONCURRENT_REQUESTS at once and answers
# a request that waited ADMISSION_WAIT_MS in all with 503 + Retry-After; spare threads do the
# shedding. The listen backlog and the connections a worker holds are bounded too.
worker_class = "gunicorn_worker.SheddingWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "256"))
backlog = int(os.environ.get("GUNICORN_BACKLOG", "128"))
timeout = 60
graceful_timeout = 20
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# No preload: the durable_rules host and the database pool are created in each worker.
preload_app = False

# Prometheus multiprocess mode: every worker writes its metrics to files in this directory and
# /metrics adds them up. It must be set before the workers import prometheus_client, so it is
# set here (inherited by the forked workers) and emptied at start so no dead worker's counts
# from an earlier run are served.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
_metrics_dir = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="meritflow-metrics-"))
)


def on_starting(server):
    """Empty the metrics directory of an earlier run."""
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in _metrics_dir.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    """Let the metrics of a dead worker stop counting as live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics directory if this configuration made it."""
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
