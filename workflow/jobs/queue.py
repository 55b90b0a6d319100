"""The Celery application of one service: its broker, its tasks, and how jobs are sent to it.

Built from plain values (the adapters pass the settings), one per Flask app, so tests and
processes never share a global Celery app. Tasks carry only ids: a worker reads everything
else from the database, so workers are stateless and may run on any host that reaches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import Celery

from workflow.core import Database
from workflow.registry import RowValidator
from workflow.screening import NARROWING_MIN_POOL, NarrowingPolicy, should_narrow

SHARD_TASK = "meritflow.screening_shard"
TALENT_TASK = "meritflow.talent_map_shard"
IMPORT_TASK = "meritflow.registry_import"
LEDGER_TASK = "meritflow.ledger_shard"
QUEUE = "meritflow"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class JobQueue:
    """A Celery app bound to one database: what the use cases enqueue on."""

    celery: Celery
    db: Database
    shard_size: int
    eager: bool
    now: Callable[[], dt.datetime] = field(default=_utcnow)
    narrow: bool = False
    """Whether the jobs this queue starts narrow their shards whatever the pool's size
    (``SCREENING_NARROWING``; recorded in each job's plan, so every worker screens a job the
    way it was started, whatever its own settings)."""
    narrow_min_pool: int = NARROWING_MIN_POOL
    """Jobs of pools at least this large narrow their shards (``SCREENING_NARROWING_MIN_POOL``;
    0: only ``narrow``)."""
    import_validator: Callable[[], RowValidator] | None = None
    """Makes the row validator a registry import checks rows with (the adapters' schemas:
    the domain has none of its own); a worker without one fails an import job."""
    checkpoint_dir: Path | None = None
    """Where the signed checkpoints a ledger verification compares with are (``CHECKPOINT_DIR``;
    None: chains are verified without checkpoints)."""

    def narrows(self, pool_size: int) -> bool:
        """Return whether a job of ``pool_size`` candidates is narrowed (:func:`should_narrow`)."""
        return should_narrow(pool_size, NarrowingPolicy(self.narrow, self.narrow_min_pool))

    def send_shards(self, job_id: int, shards: int, *, task_name: str = SHARD_TASK) -> None:
        """Enqueue every shard of a job (run in-process, in order, when eager)."""
        task = self.celery.tasks[task_name]
        for shard in range(shards):
            task.apply_async((job_id, shard), queue=QUEUE)

    def depth(self) -> int | None:
        """Return how many messages wait in the queue, or None if the broker cannot say."""
        if self.eager:
            return 0
        try:
            with self.celery.connection_for_read() as connection:
                channel = connection.default_channel
                declared = channel.queue_declare(queue=QUEUE, passive=True)
                return int(declared.message_count)
        except Exception:
            return None


def _transport_options(broker_url: str) -> dict[str, int]:
    """The broker's transport options: Redis (and SQS) redeliver an unacknowledged message after
    a visibility timeout (an hour: longer than any shard). The embedded SQLAlchemy transport
    hands its options to ``create_engine``, which refuses unknown ones, and AMQP redelivers
    when the consumer's channel closes: neither takes it."""
    if broker_url.split("://", 1)[0] in ("redis", "rediss", "sqs"):
        return {"visibility_timeout": 3600}
    return {}


def make_queue(
    db: Database,
    *,
    broker_url: str,
    eager: bool,
    shard_size: int,
    now: Callable[[], dt.datetime] | None = None,
    narrow: bool = False,
    narrow_min_pool: int = NARROWING_MIN_POOL,
    import_validator: Callable[[], RowValidator] | None = None,
    checkpoint_dir: Path | None = None,
) -> JobQueue:
    """Return a job queue on ``broker_url`` (tasks run in-process when ``eager``); ``narrow``:
    the screenings it starts narrow each shard in the database (``SCREENING_NARROWING``), as do
    those of pools of at least ``narrow_min_pool`` candidates (``SCREENING_NARROWING_MIN_POOL``,
    0: off); ``import_validator`` makes the row validator registry-import jobs check with;
    ``checkpoint_dir``: the checkpoints ledger verifications compare with."""
    celery = Celery("meritflow", broker=broker_url, set_as_current=False)
    celery.conf.update(
        task_always_eager=eager,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        broker_transport_options=_transport_options(broker_url),
    )
    queue = JobQueue(
        celery,
        db,
        shard_size,
        eager,
        now or _utcnow,
        narrow,
        narrow_min_pool,
        import_validator,
        checkpoint_dir,
    )
    _register(queue)
    return queue


def _register(queue: JobQueue) -> None:
    from workflow.jobs.chains import run_ledger_shard
    from workflow.jobs.imports import run_import
    from workflow.jobs.screening import run_shard  # the tasks' bodies; imported late (cycle)
    from workflow.jobs.talent import run_talent_shard

    @queue.celery.task(name=SHARD_TASK, bind=True, shared=False)  # type: ignore[untyped-decorator]
    def screening_shard(self: Any, job_id: int, shard: int) -> None:
        """Screen one shard of a job; the last shard stored also finishes the screening."""
        run_shard(queue, job_id=job_id, shard=shard, worker=str(self.request.hostname or ""))

    @queue.celery.task(name=TALENT_TASK, bind=True, shared=False)  # type: ignore[untyped-decorator]
    def talent_map_shard(self: Any, job_id: int, shard: int) -> None:
        """Map one agency of a talent-map job and store its run once; the last finishes it."""
        run_talent_shard(queue, job_id=job_id, shard=shard, worker=str(self.request.hostname or ""))

    @queue.celery.task(name=IMPORT_TASK, bind=True, shared=False)  # type: ignore[untyped-decorator]
    def registry_import(self: Any, job_id: int, shard: int) -> None:
        """Import an upload's stored files once; the job ends with the import's outcome."""
        run_import(queue, job_id=job_id, shard=shard, worker=str(self.request.hostname or ""))

    @queue.celery.task(name=LEDGER_TASK, bind=True, shared=False)  # type: ignore[untyped-decorator]
    def ledger_shard(self: Any, job_id: int, shard: int) -> None:
        """Verify or export one chain of a ledger job and store its result once."""
        run_ledger_shard(queue, job_id=job_id, shard=shard, worker=str(self.request.hostname or ""))

    del screening_shard, talent_map_shard, registry_import, ledger_shard
