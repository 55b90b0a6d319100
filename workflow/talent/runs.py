"""Talent-map runs: load an agency's employees, place them with the pure map, store the run.

:func:`run_talent_map` maps agencies in the calling process (tests, benches);
:func:`sweep_talent_maps` does the scheduler's sweep in process (a run for every agency whose
registry changed since its last run). The service itself runs both as background jobs
(``workflow.jobs``, one task per agency) through :func:`runnable_agencies`,
:func:`due_agencies` and :func:`map_agency`. The placement itself is
:func:`rules.talent.map_talent`, a pure function over loaded profiles.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import structlog
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rules.errors import PackNotEffective, ProfileInvalid
from rules.pack import Pack
from rules.talent import METHOD, Placement, Subject, TalentMap, map_talent, snapshot_json
from rules.vocab import PositionLevel
from workflow import ledger, screening
from workflow.core import Actor, Database, InvalidInput, NotFound, Refused, readable
from workflow.models import Employee, Role, TalentPlacement, TalentRun, Tenant

if TYPE_CHECKING:
    import psycopg

log = structlog.get_logger(__name__)

_LEVEL = {level.value: level for level in PositionLevel}
"""Levels by stored value: a dict lookup instead of an enum call per employee."""

LEDGER_KIND = ledger.LedgerKind.TALENT_MAP
"""The ledger entry of a stored run (digests and counts only: no one is named)."""
DEFAULT_PACK = "bkn-national"
RUNNERS = frozenset({Role.HR.value, Role.NATIONAL_REVIEWER.value})
"""Who may start a run: HR for their own agency, national reviewers for any agencies."""
READERS = frozenset(
    {Role.HR.value, Role.AUTHORITY.value, Role.NATIONAL_REVIEWER.value, Role.AUDITOR.value}
)
"""Who reads runs (within the agencies they read): HR, the authority, BKN and auditors."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A stored run as lists show it (no personal data)."""

    id: int
    agency: str
    pack_digest: str
    method: str
    reference_date: dt.date
    input_digest: str
    result_digest: str
    employees: int
    mapped: int
    pool: int
    trigger: str
    created_by: str
    created_at: dt.datetime


def summary(run: TalentRun, agency: str) -> RunSummary:
    """Return the list view of a stored run."""
    return RunSummary(
        id=run.id,
        agency=agency,
        pack_digest=run.pack_digest,
        method=run.method,
        reference_date=run.reference_date,
        input_digest=run.input_digest,
        result_digest=run.result_digest,
        employees=run.employees,
        mapped=run.mapped,
        pool=run.pool,
        trigger=run.trigger,
        created_by=run.created_by,
        created_at=run.created_at,
    )


def run_summaries(db: Database, *, run_ids: Sequence[int]) -> list[RunSummary]:
    """Return the summaries of these runs in the given order (unscoped: callers check)."""
    if not run_ids:
        return []
    with db.read() as session:
        rows = session.execute(
            select(TalentRun, Tenant.code)
            .join(Tenant, Tenant.id == TalentRun.tenant_id)
            .where(TalentRun.id.in_(list(run_ids)))
        ).all()
        found = {run.id: summary(run, code) for run, code in rows}
    return [found[i] for i in run_ids if i in found]


@dataclass(frozen=True, slots=True)
class Loaded:
    """An agency's employees as the map reads them, read in one transaction."""

    tenant_id: int
    tenant_code: str
    subjects: list[Subject]
    employee_ids: dict[str, int]
    data_as_of: dt.datetime | None


def load_subjects(session: Session, *, tenant_id: int) -> Loaded:
    """Return every employee of the agency with their current level and unit.

    :raises NotFound: no agency with that id.
    """
    code = session.scalar(select(Tenant.code).where(Tenant.id == tenant_id))
    if code is None:
        raise NotFound(f"no agency {tenant_id}")
    rows = screening.load_profile_rows(session, tenant_ids=[tenant_id])
    subjects = [
        Subject(row.profile, _LEVEL[row.level] if row.level else None, row.unit) for row in rows
    ]
    employee_ids = {row.profile.nip: row.employee_id for row in rows}
    as_of = session.scalar(
        select(func.max(Employee.updated_at)).where(Employee.tenant_id == tenant_id)
    )
    return Loaded(tenant_id, code, subjects, employee_ids, as_of)


def compute(pack: Pack, loaded: Loaded, *, reference_date: dt.date, processes: int) -> TalentMap:
    """Place the loaded employees (pure apart from the error mapping).

    :raises InvalidInput: the pack is not in effect on the reference date, or a NIP repeats.
    """
    try:
        return map_talent(pack, reference_date, loaded.subjects, processes=processes)
    except PackNotEffective as exc:
        raise InvalidInput(
            exc.message, [{"field": "reference_date", "message": exc.message}]
        ) from exc
    except ProfileInvalid as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc


def gzip_snapshot(reference_date: dt.date, subjects: Sequence[Subject]) -> bytes:
    """Return the gzip (fast level, no timestamp) of a run's input snapshot."""
    return _gzip(snapshot_json(reference_date, subjects))


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1, mtime=0)


def store(
    session: Session,
    *,
    loaded: Loaded,
    result: TalentMap,
    trigger: str,
    created_by: str,
    now: dt.datetime,
    ledger_actor: str | None = None,
) -> TalentRun:
    """Store a run, its placements and its ledger entry in the caller's transaction.

    ``ledger_actor`` is how the entry names who started it (``user:<id>``, None for the
    scheduler): the ledger holds internal ids, never the ``created_by`` login name.
    """
    run = TalentRun(
        tenant_id=loaded.tenant_id,
        pack_digest=result.pack_digest,
        method=METHOD,
        reference_date=result.reference_date,
        input_digest=result.input_digest,
        result_digest=result.result_digest,
        employees=len(result.placements),
        mapped=result.mapped,
        pool=result.pool,
        snapshot=_gzip(result.snapshot)
        if result.snapshot
        else gzip_snapshot(result.reference_date, loaded.subjects),
        data_as_of=loaded.data_as_of,
        trigger=trigger,
        created_by=created_by,
        created_at=now,
    )
    session.add(run)
    session.flush()
    _insert_placements(session, run.id, loaded.employee_ids, result.placements)
    ledger.append(
        session,
        tenant_id=loaded.tenant_id,
        kind=ledger.LedgerKind.TALENT_MAP,
        actor=ledger_actor,
        at=now,
        data={
            "run": run.id,
            "pack": result.pack_digest,
            "method": METHOD,
            "reference_date": result.reference_date.isoformat(),
            "input_digest": result.input_digest,
            "result_digest": result.result_digest,
            "employees": run.employees,
            "mapped": run.mapped,
            "pool": run.pool,
            "trigger": trigger,
        },
    )
    return run


PLACEMENT_COLUMNS = (
    "run_id",
    "employee_id",
    "level",
    "unit",
    "target",
    "performance_axis",
    "potential_axis",
    "box",
    "in_pool",
)


def _insert_placements(
    session: Session, run_id: int, employee_ids: dict[str, int], placements: Sequence[Placement]
) -> None:
    """Insert one ``talent_placement`` row per placement in the caller's transaction.

    PostgreSQL gets them through ``COPY`` (one stream, no statement per batch: a fifth of the
    time of the batched INSERT at 20,000 rows); other databases through a Core executemany in
    batches of 5,000 (no ORM work per row).
    """
    rows = [
        (
            run_id,
            employee_ids[p.nip],
            p.level,
            p.unit,
            p.target,
            p.performance_axis,
            p.potential_axis,
            p.box,
            p.in_pool,
        )
        for p in placements
    ]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
        columns = ", ".join(PLACEMENT_COLUMNS)
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY talent_placement ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    table = TalentPlacement.metadata.tables[TalentPlacement.__tablename__]
    statement = insert(table)
    for start in range(0, len(rows), 5000):
        connection.execute(
            statement,
            [dict(zip(PLACEMENT_COLUMNS, row, strict=True)) for row in rows[start : start + 5000]],
        )


def _agencies(session: Session, actor: Actor, codes: Sequence[str] | None) -> list[tuple[int, str]]:
    """Return (id, code) of the agencies to map, checking the actor may map each.

    :raises NotFound: an agency the actor cannot read (named like a missing one).
    :raises Refused: the actor may not start runs, or HR names another agency.
    """
    if not actor.roles & RUNNERS:
        raise Refused(f"{actor.username} may not start a talent-map run")
    if not codes:
        if actor.is_national:
            raise InvalidInput(
                "name the agencies to map", [{"field": "agencies", "message": "required for BKN"}]
            )
        return [(actor.tenant_id, actor.tenant_code)]
    scope = readable(actor)
    found = dict(
        session.execute(select(Tenant.code, Tenant.id).where(Tenant.code.in_(codes))).all()
    )
    out = []
    for code in dict.fromkeys(codes):
        tenant_id = found.get(code)
        if tenant_id is None or not scope.allows(tenant_id):
            raise NotFound(f"no agency {code}")
        out.append((tenant_id, code))
    return sorted(out)


def runnable_agencies(
    db: Database, *, actor: Actor, agencies: Sequence[str] | None
) -> list[tuple[int, str]]:
    """Return (id, code) of the agencies ``actor`` asks to map (default: their own), sorted.

    :raises NotFound: an agency the actor cannot read.
    :raises Refused: the actor's roles do not allow a run.
    :raises InvalidInput: no agency named by BKN.
    """
    with db.read() as session:
        return _agencies(session, actor, agencies)


def check_effective(pack: Pack, reference_date: dt.date) -> None:
    """Check that ``pack`` is in effect on ``reference_date`` (before any run is started).

    :raises InvalidInput: it is not.
    """
    try:
        pack.check_effective(reference_date)
    except PackNotEffective as exc:
        raise InvalidInput(
            exc.message, [{"field": "reference_date", "message": exc.message}]
        ) from exc


def run_talent_map(
    db: Database,
    *,
    actor: Actor,
    agencies: Sequence[str] | None = None,
    pack: str = DEFAULT_PACK,
    reference_date: dt.date | None = None,
    now: dt.datetime,
    processes: int = 1,
) -> list[RunSummary]:
    """Map every employee of the agencies (default: the actor's own) and store one run each.

    HR maps their own agency; a national reviewer names any agencies. Each agency's run is
    read in one transaction, computed outside any, and stored with its ledger entry in one.

    :raises NotFound: an agency the actor cannot read, or no published pack ``pack``.
    :raises Refused: the actor's roles do not allow a run.
    :raises InvalidInput: no agency named by BKN, or the pack is not in effect on the date.
    """
    with db.read() as session:
        targets = _agencies(session, actor, agencies)
    published = screening.resolve(db, pack)
    loaded_pack = screening.load_published(db, digest=published.digest)
    reference = reference_date or now.date()
    out = []
    for tenant_id, code in targets:
        out.append(
            _run_one(
                db,
                pack=loaded_pack,
                tenant_id=tenant_id,
                reference_date=reference,
                trigger="demand",
                created_by=actor.username,
                ledger_actor=ledger.actor_ref(actor),
                now=now,
                processes=processes,
            )
        )
        log.info("talent_map_run", agency=code, run=out[-1].id, employees=out[-1].employees)
    return out


class _NotClaimed(Exception):
    """The caller's claim refused the stored run: its transaction is rolled back."""


Claim = Callable[[Session, RunSummary], bool]
"""Called in the storing transaction with the stored run: False rolls the whole run back."""


def map_agency(
    db: Database,
    *,
    pack: Pack,
    tenant_id: int,
    reference_date: dt.date,
    trigger: str,
    created_by: str,
    now: dt.datetime,
    ledger_actor: str | None = None,
    processes: int = 1,
    claim: Claim | None = None,
) -> RunSummary | None:
    """Map one agency and store its run (read in one transaction, stored in one).

    ``claim`` lets a caller store something of its own in the same transaction (a job's
    store-once marker) and veto the run: if it returns False nothing is stored and None is
    returned.

    :raises NotFound: no such agency.
    :raises InvalidInput: the pack is not in effect on the date, or a NIP repeats.
    """
    with db.read() as session:
        loaded = load_subjects(session, tenant_id=tenant_id)
    result = compute(pack, loaded, reference_date=reference_date, processes=processes)
    try:
        with db.transaction() as session:
            run = store(
                session,
                loaded=loaded,
                result=result,
                trigger=trigger,
                created_by=created_by,
                now=now,
                ledger_actor=ledger_actor,
            )
            made = summary(run, loaded.tenant_code)
            if claim is not None and not claim(session, made):
                raise _NotClaimed
            return made
    except _NotClaimed:
        return None


def _run_one(
    db: Database,
    *,
    pack: Pack,
    tenant_id: int,
    reference_date: dt.date,
    trigger: str,
    created_by: str,
    now: dt.datetime,
    processes: int,
    ledger_actor: str | None = None,
) -> RunSummary:
    made = map_agency(
        db,
        pack=pack,
        tenant_id=tenant_id,
        reference_date=reference_date,
        trigger=trigger,
        created_by=created_by,
        now=now,
        ledger_actor=ledger_actor,
        processes=processes,
    )
    assert made is not None  # no claim, so always stored
    return made


def due_agencies(db: Database) -> list[tuple[int, str]]:
    """Return (id, code) of every agency whose employees changed since its last run.

    An agency with employees and no run yet is due too. The newest employee change a run
    read is stored with it (``data_as_of``), so an unchanged registry is never due twice.
    """
    with db.read() as session:
        changed = session.execute(
            select(Tenant.id, Tenant.code, func.max(Employee.updated_at))
            .join(Employee, Employee.tenant_id == Tenant.id)
            .group_by(Tenant.id, Tenant.code)
            .order_by(Tenant.id)
        ).all()
        last: dict[int, dt.datetime | None] = {}
        for tenant_id, as_of in session.execute(
            select(TalentRun.tenant_id, TalentRun.data_as_of).order_by(
                TalentRun.tenant_id, TalentRun.created_at, TalentRun.id
            )
        ):
            last[tenant_id] = as_of
    return [
        (tenant_id, code)
        for tenant_id, code, as_of in changed
        if tenant_id not in last or last[tenant_id] != as_of
    ]


def sweep_talent_maps(
    db: Database, *, now: dt.datetime, pack: str = DEFAULT_PACK, processes: int = 1
) -> list[str]:
    """Map every agency whose employees changed since its last run, in this process; return
    their codes (the service's scheduler runs the same sweep as jobs)."""
    due = due_agencies(db)
    if not due:
        return []
    try:
        published = screening.resolve(db, pack)
    except NotFound:
        log.warning("talent_sweep_no_pack", pack=pack)
        return []
    loaded_pack = screening.load_published(db, digest=published.digest)
    done = []
    for tenant_id, code in due:
        try:
            _run_one(
                db,
                pack=loaded_pack,
                tenant_id=tenant_id,
                reference_date=now.date(),
                trigger="import",
                created_by="system",
                now=now,
                processes=processes,
            )
        except InvalidInput as exc:
            log.warning("talent_sweep_failed", agency=code, error=str(exc))
            continue
        done.append(code)
    return done
