"""A vacancy's screening run: its pool evaluated by the pinned pack, and the result stored.

:func:`evaluate_pool` reads the pool in one read transaction and evaluates it outside any;
:func:`store_run` writes the run (input snapshot, ranked shortlist, digests, engine version) and
its ``screening.result`` ledger entry in the caller's transaction. When to screen, and what the
result means for the vacancy, is the workflow's (``workflow.vacancies``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules import assembly
from rules.pack import Pack
from rules.profile import VacancyContext
from rules.screening import Decision, ScreeningResult
from workflow import ledger
from workflow.core import Database
from workflow.models import Employee, ScreeningRun, ShortlistEntry
from workflow.screening.narrowing import DEFAULT_NARROWING, NarrowingSettings
from workflow.screening.pool import screen_position
from workflow.screening.rulepacks import load_published

LISTED_STATUSES = ("eligible", "needs_data")
"""The candidates a shortlist keeps, in their screening rank order."""


@dataclass(frozen=True, slots=True)
class ShortlistRow:
    """One ranked candidate of a screening, as stored for the committee and the authority."""

    employee_id: int
    rank: int
    status: str
    box: int | None
    readiness: str | None
    score: dict[str, Any]
    in_succession_group: bool = False


@dataclass(frozen=True, slots=True)
class ScreeningOutcome:
    """A finished screening of a vacancy's pool, with what replay needs to reproduce it."""

    pack_digest: str
    engine_version: str
    reference_date: dt.date
    input_digest: str
    result_digest: str
    candidates: int
    shortlist: list[ShortlistRow]
    snapshot: bytes
    result: bytes

    @property
    def eligible(self) -> int:
        """Return how many shortlisted candidates are eligible."""
        return sum(1 for row in self.shortlist if row.status == "eligible")


def evaluate_pool(
    db: Database,
    *,
    pack_digest: str,
    position_id: int,
    reference_date: dt.date,
    tenant_ids: list[int],
    processes: int = 1,
    narrow: bool | NarrowingSettings = DEFAULT_NARROWING,
) -> ScreeningOutcome:
    """Screen the employees of ``tenant_ids`` for the position with the published pack.

    ``narrow`` pre-filters the pool in the database (:mod:`workflow.screening.narrowing`):
    True or False decides; narrowing settings (the default: the service's defaults) narrow
    pools of at least ``SCREENING_NARROWING_MIN_POOL`` candidates
    (:func:`~workflow.screening.narrowing.should_narrow`).

    :raises NotFound: no published pack with that digest, or no such position.
    :raises InvalidInput: the pack does not decide the position's level or is not in effect on
        the reference date.
    """
    pack = load_published(db, digest=pack_digest)
    result = screen_position(
        db,
        pack=pack,
        position_id=position_id,
        reference_date=reference_date,
        tenant_ids=tenant_ids,
        processes=processes,
        narrow=narrow,
    )
    return outcome_of(db, result)


def outcome_of(db: Database, result: ScreeningResult) -> ScreeningOutcome:
    """Return what is stored of a screening result (the shortlist with employee ids)."""
    outcome = outcome_from_streams(
        db,
        pack=result.pack,
        context=result.context,
        engine=result.engine_version,
        input_digest=result.input_digest,
        ranked=result.decisions,
        narrowed=assembly.pairs(result.narrowed),
        candidates=result.candidates,
        write_snapshot=result.write_snapshot,
    )
    if outcome.result_digest != result.result_digest:  # one writer for both: never differs
        raise AssertionError("the result document disagrees with the screening's digest")
    return outcome


def outcome_from_streams(
    db: Database,
    *,
    pack: Pack,
    context: VacancyContext,
    engine: str,
    input_digest: str,
    ranked: Iterable[Decision],
    narrowed: Iterable[str],
    candidates: int,
    write_snapshot: Callable[[assembly.Write], None],
) -> ScreeningOutcome:
    """Return what is stored of a screening given as streams: ``ranked`` every evaluated
    decision in rank order, ``narrowed`` the narrowed-out (NIP, criterion) by NIP as
    :func:`rules.assembly.pairs` text, and
    ``write_snapshot`` writing the input snapshot. Each is read once; what stays in memory is
    the two compressed documents and the shortlist (eligible and needs-data candidates).
    """
    listed: list[tuple[int, Decision]] = []

    def keep_listed(decisions: Iterable[Decision]) -> Iterator[Decision]:
        for rank, decision in enumerate(decisions, start=1):
            if decision.status in LISTED_STATUSES:
                listed.append((rank, decision))
            yield decision

    digest: list[str] = []
    result = gzipped(
        lambda write: digest.append(
            assembly.write_result(
                write,
                pack,
                context,
                engine=engine,
                input_digest=input_digest,
                ranked=keep_listed(ranked),
                narrowed=narrowed,
            )
        )
    )
    return ScreeningOutcome(
        pack_digest=pack.digest,
        engine_version=engine,
        reference_date=context.reference_date,
        input_digest=input_digest,
        result_digest=digest[0],
        candidates=candidates,
        shortlist=_shortlist(db, pack, context, listed),
        snapshot=gzipped(write_snapshot),
        result=result,
    )


def _shortlist(
    db: Database, pack: Pack, context: VacancyContext, listed: list[tuple[int, Decision]]
) -> list[ShortlistRow]:
    """Return the listed decisions (with their ranks) as shortlist rows with employee ids."""
    ids: dict[str, int] = {}
    nips = [d.nip for _, d in listed]
    with db.read() as session:
        for start in range(0, len(nips), 900):
            chunk = nips[start : start + 900]
            for nip, employee_id in session.execute(
                select(Employee.nip, Employee.id).where(Employee.nip.in_(chunk))
            ):
                ids[nip] = employee_id
    labels = [r.label.id for r in pack.ranking.readiness]
    otherwise = pack.ranking.otherwise.id
    group = frozenset(context.succession_group)
    return [
        ShortlistRow(
            employee_id=ids[d.nip],
            rank=rank,
            status=d.status,
            box=d.box,
            readiness=labels[d.readiness] if d.readiness >= 0 else otherwise,
            score={
                "jpm": d.jpm,
                "performance": d.performance_score,
                "succession": d.succession_score,
            },
            in_succession_group=d.nip in group,
        )
        for rank, d in listed
    ]


GZIP_LEVEL = 6
"""Compression of the stored documents (9 took three times as long for 3 % less)."""


def gzipped(write_document: Callable[[assembly.Write], object]) -> bytes:
    """Return the gzip (mtime 0) of the UTF-8 text ``write_document`` writes, piece by piece."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as text,
    ):
        write_document(text.write)
    return buffer.getvalue()


def store_run(
    session: Session,
    *,
    vacancy_id: int,
    round: int,
    tenant_id: int,
    outcome: ScreeningOutcome,
    now: dt.datetime,
) -> int:
    """Store a screening of one round of a vacancy and its ledger entry; return the run's id."""
    run = ScreeningRun(
        vacancy_id=vacancy_id,
        round=round,
        pack_digest=outcome.pack_digest,
        engine_version=outcome.engine_version,
        reference_date=outcome.reference_date,
        input_digest=outcome.input_digest,
        result_digest=outcome.result_digest,
        candidates=outcome.candidates,
        eligible=outcome.eligible,
        snapshot=outcome.snapshot,
        result=outcome.result,
        created_at=now,
        entries=[
            ShortlistEntry(
                employee_id=r.employee_id,
                rank=r.rank,
                status=r.status,
                box=r.box,
                readiness=r.readiness,
                score=r.score,
                in_succession_group=r.in_succession_group,
            )
            for r in outcome.shortlist
        ],
    )
    session.add(run)
    session.flush()
    ledger.append(
        session,
        tenant_id=tenant_id,
        kind=ledger.LedgerKind.SCREENING_RESULT,
        actor=None,
        at=now,
        data={
            "vacancy": vacancy_id,
            "round": round,
            "pack": outcome.pack_digest,
            "engine": outcome.engine_version,
            "input_digest": outcome.input_digest,
            "result_digest": outcome.result_digest,
            "candidates": outcome.candidates,
            "eligible": outcome.eligible,
        },
    )
    return run.id
