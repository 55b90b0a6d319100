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
#
# gunicorn executes this file more than once in the master (to read the settings, and again on
# a reload). The folder this configuration makes is therefore remembered in the environment
# (METRICS_DIR_OWNER names the master that made it), so a second execution reuses it instead
# of mistaking it for one the operator set, and on_exit removes it. A folder left by a master
# that was killed (SIGKILL: no on_exit) is swept at the next start.
_METRICS_PREFIX = "meritflow-metrics-"
_OWNER = "MERITFLOW_METRICS_DIR_OWNER"
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
        prefix=f"{_METRICS_PREFIX}{os.getpid()}-"
    )
    os.environ[_OWNER] = str(os.getpid())
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
_own_metrics_dir = os.environ.get(_OWNER) == str(os.getpid())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_orphans() -> None:
    """Remove metrics folders of masters that no longer run (killed before on_exit)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_METRICS_PREFIX}*"):
        pid = folder.name.removeprefix(_METRICS_PREFIX).split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and folder != _metrics_dir and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def on_starting(server):
    """Empty the metrics directory of an earlier run; sweep folders of killed masters."""
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in _metrics_dir.glob("*.db"):
        stale.unlink()
    if _own_metrics_dir:
        _sweep_orphans()


def child_exit(server, worker):
    """Let the metrics of a dead worker stop counting as live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics directory if this configuration made it."""
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
