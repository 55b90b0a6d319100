"""Background jobs (a screening split into shards) and the result each shard stored.

Job state lives here, in our database, not in a Celery result backend: any worker on any host
reads and advances it, and the API reports progress from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime


class Job(Base):
    """One background job: what it does, for which vacancy and agency, and how far it got."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_vacancy", "vacancy_id"),
        Index("ix_job_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    """``screening`` (a vacancy's pool, sharded)."""
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancy.id"))
    round: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    """``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``."""
    plan: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The shards: ``[{"tenant": id, "from": NIP or null, "below": NIP or null, "size": n}]``."""
    shards_total: Mapped[int] = mapped_column(Integer)
    shards_done: Mapped[int] = mapped_column(Integer, default=0)
    candidates_total: Mapped[int] = mapped_column(Integer)
    candidates_done: Mapped[int] = mapped_column(Integer, default=0)
    result_digest: Mapped[str | None] = mapped_column(String(64))
    applied: Mapped[list[str] | None] = mapped_column(JSON)
    """The workflow actions the finished screening took (e.g. ``complete_screening``)."""
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(40))
    """``user:<id>``, or None for the scheduler."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class JobShard(Base):
    """The stored result of one shard of a job (once: redelivery finds it there)."""

    __tablename__ = "job_shard"

    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidates: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    """gzip of the JSON ``{"profiles": [...], "decisions": [...]}`` of the shard."""
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class JobFile(Base):
    """A piece of a file uploaded for a job (a registry import), kept until the job ends.

    The bytes live in the database, not on the web host's disk, so a worker on any host reads
    them; a file is stored in pieces of at most ``workflow.jobs.imports.PIECE`` bytes, so
    neither the web worker storing it nor the job worker reading it holds a file whole. The
    job deletes them when it ends, whatever its outcome.
    """

    __tablename__ = "job_file"

    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The file's place in the upload (the import reads the files in this order)."""
    piece: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The piece's place in its file, from 0."""
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
