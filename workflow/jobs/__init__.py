"""Background jobs on Celery: a vacancy's screening split into shards that any worker screens.

Job state lives in our database (``job``, ``job_shard``); the broker only carries ids. See
``docs/jobs.md`` for why Celery, how to configure a broker and how to run workers on hosts.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.jobs.queue import QUEUE, SHARD_TASK, JobQueue, make_queue
from workflow.jobs.screening import (
    ACTIVE,
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobStats,
    JobView,
    Started,
    cancel_job,
    dispatch,
    ensure_job,
    finish_job,
    get_job,
    job_stats,
    latest_job,
    pending_jobs,
    run_shard,
    start_screening_job,
    take_action,
)

__all__ = [
    "ACTIVE",
    "CANCELLED",
    "FAILED",
    "QUEUE",
    "QUEUED",
    "RUNNING",
    "SHARD_TASK",
    "SUCCEEDED",
    "JobQueue",
    "JobStats",
    "JobView",
    "Started",
    "cancel_job",
    "dispatch",
    "ensure_job",
    "finish_job",
    "get_job",
    "job_stats",
    "latest_job",
    "make_queue",
    "pending_jobs",
    "run_shard",
    "start_screening_job",
    "take_action",
]
