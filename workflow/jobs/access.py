"""Reading and stopping a job of any kind: each kind has its own readers.

A screening job is visible to whoever may read its vacancy; a talent-map job to whoever may
read the talent runs of every agency it maps; a registry import to whoever may import into its
agency.
read the talent runs of every agency it maps; a ledger verification or export to whoever may
verify every chain it covers (auditors and BKN).
"""

from __future__ import annotations

import datetime as dt

from workflow.core import Actor, Database
from workflow.jobs import chains, imports, screening, talent
from workflow.jobs.state import JobView


def get_job(db: Database, *, actor: Actor, job_id: int, now: dt.datetime) -> JobView:
    """Return a job the actor may see.

    :raises NotFound: no such job, or not one the actor may read.
    """
    if talent.is_talent_job(db, job_id):
        return talent.get_talent_job(db, actor=actor, job_id=job_id, now=now).job
    if imports.is_import_job(db, job_id):
        return imports.get_import_job(db, actor=actor, job_id=job_id, now=now).job
    if chains.is_ledger_job(db, job_id):
        return chains.get_ledger_job(db, actor=actor, job_id=job_id, now=now).job
    return screening.get_job(db, actor=actor, job_id=job_id, now=now)


def cancel_job(
    db: Database, *, actor: Actor, job_id: int, reason: str, now: dt.datetime
) -> JobView:
    """Stop a queued or running job (a screening's vacancy is cancelled with the reason).

    :raises NotFound: no such job visible to the actor.
    :raises Conflict: the job is already over.
    :raises Refused: the actor may not stop it.
    """
    if talent.is_talent_job(db, job_id):
        return talent.cancel_talent_job(db, actor=actor, job_id=job_id, reason=reason, now=now)
    if imports.is_import_job(db, job_id):
        return imports.cancel_import_job(db, actor=actor, job_id=job_id, reason=reason, now=now)
    if chains.is_ledger_job(db, job_id):
        return chains.cancel_ledger_job(db, actor=actor, job_id=job_id, reason=reason, now=now)
    return screening.cancel_job(db, actor=actor, job_id=job_id, reason=reason, now=now)
