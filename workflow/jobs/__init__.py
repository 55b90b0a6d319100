"""Background jobs on Celery: a vacancy's screening split into shards that any worker screens,
talent-map runs (one task per agency), registry imports (the uploaded files in the database),
and ledger verifications and exports (one task per chain).

Job state lives in our database (``job``, ``job_shard``); the broker only carries ids. See
``docs/jobs.md`` for why Celery, how to configure a broker and how to run workers on hosts.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.jobs.access import cancel_job, get_job
from workflow.jobs.chains import (
    KIND_EXPORT,
    KIND_VERIFY,
    ChainResult,
    LedgerJob,
    export_stream,
    get_ledger_job,
    run_ledger_shard,
    start_ledger_job,
)
from workflow.jobs.imports import (
    KIND_IMPORT,
    ImportJob,
    get_import_job,
    import_report,
    run_import,
    start_import_job,
    start_operator_import_job,
    stored_files,
)
from workflow.jobs.queue import (
    IMPORT_TASK,
    LEDGER_TASK,
    QUEUE,
    SHARD_TASK,
    TALENT_TASK,
    JobQueue,
    make_queue,
)
from workflow.jobs.screening import (
    Started,
    dispatch,
    ensure_job,
    finish_job,
    latest_job,
    pending_jobs,
    run_shard,
    start_screening_job,
    take_action,
)
from workflow.jobs.state import (
    ACTIVE,
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobStats,
    JobView,
    job_stats,
)
from workflow.jobs.talent import (
    KIND_TALENT,
    TalentJob,
    TalentStarted,
    get_talent_job,
    job_runs,
    latest_talent_job,
    run_talent_shard,
    start_talent_job,
    sweep_talent_jobs,
)

__all__ = [
    "ACTIVE",
    "CANCELLED",
    "FAILED",
    "IMPORT_TASK",
    "KIND_EXPORT",
    "KIND_IMPORT",
    "KIND_TALENT",
    "KIND_VERIFY",
    "LEDGER_TASK",
    "QUEUE",
    "QUEUED",
    "RUNNING",
    "SHARD_TASK",
    "SUCCEEDED",
    "TALENT_TASK",
    "ChainResult",
    "ImportJob",
    "JobQueue",
    "JobStats",
    "JobView",
    "LedgerJob",
    "Started",
    "TalentJob",
    "TalentStarted",
    "cancel_job",
    "dispatch",
    "ensure_job",
    "export_stream",
    "finish_job",
    "get_import_job",
    "get_job",
    "get_ledger_job",
    "get_talent_job",
    "import_report",
    "job_runs",
    "job_stats",
    "latest_job",
    "latest_talent_job",
    "make_queue",
    "pending_jobs",
    "run_import",
    "run_ledger_shard",
    "run_shard",
    "run_talent_shard",
    "start_import_job",
    "start_ledger_job",
    "start_operator_import_job",
    "start_screening_job",
    "start_talent_job",
    "stored_files",
    "sweep_talent_jobs",
    "take_action",
]
