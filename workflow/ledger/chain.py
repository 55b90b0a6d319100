"""The tamper-evident ledger: append in the caller's transaction, verify, checkpoint, export.

Every tenant has its own chain. An entry's body is the RFC 8785 canonical JSON of
``{format, tenant, seq, prev, at, kind, actor, data}`` and its hash is SHA-256 over the body's
UTF-8 bytes; ``prev`` is the previous entry's hash, so changing, dropping or reordering any entry
breaks every later link. Appends lock the tenant's ``chain_head`` row, which makes sequence
numbers gapless and the chain linear however many writers run. The chain proves internal
consistency only: whoever can write the database can recompute it, so signed checkpoints kept
outside the database (``workflow.ledger.checkpoints``) pin what was there. docs/ledger.md is the
normative description; nothing here may change the format without a new ``FORMAT``.

Personal data stays out of the chain: name employees by internal id, never by NIP, NIK or name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from io import BufferedIOBase
from itertools import chain
from pathlib import Path
from typing import IO, Any

import structlog
from sqlalchemy import Connection, LargeBinary, bindparam, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow.core import (
    Actor,
    Database,
    InvalidInput,
    NotCanonicalisable,
    NotFound,
    batches,
    canonical_json,
    check_value,
    read_ahead,
)
from workflow.ledger.checkpoints import (
    CheckpointProblem,
    CheckpointScan,
    CheckpointStore,
    Signer,
    StoredCheckpoint,
    checkpoint_for,
    rfc3339,
)
from workflow.models import ChainHead, LedgerEntry, Tenant
from workflow.models.ledger import GENESIS_HASH

log = structlog.get_logger(__name__)

FORMAT = "meritflow-ledger/1"
"""The value of every body's ``format`` member; a new hash rule needs a new value."""
BODY_KEYS = frozenset({"actor", "at", "data", "format", "kind", "prev", "seq", "tenant"})
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
MAX_KIND_LENGTH = 80
MAX_ACTOR_LENGTH = 200
ACTOR_PATTERN = re.compile(r"user:[1-9][0-9]{0,18}")
"""The only actor an entry names: a user's internal id (``null`` is the system)."""
ON_BEHALF_OF = "on_behalf_of"
"""The ``data`` member naming the delegator (``user:<id>``) when a delegate acted."""
_PERSONAL_NUMBER = re.compile(r"\d{16}|\d{18}")
"""A bare NIK (16 digits) or NIP (18 digits): personal data that must never enter the chain."""


class LedgerKind(StrEnum):
    """The kinds of entry the service writes; any dotted lower-case name is accepted."""

    REGISTRY_IMPORT = "registry.import"
    RULES_PUBLISH = "rules.publish"
    VACANCY_OPENED = "vacancy.opened"
    VACANCY_TRANSITION = "vacancy.transition"
    VACANCY_REFUSED = "vacancy.refused"
    SCREENING_RESULT = "screening.result"
    DELEGATION_CREATED = "delegation.created"
    SLA_REMINDER = "sla.reminder"
    SLA_ESCALATED = "sla.escalated"
    TALENT_MAP = "talent.map"
    SUCCESSION_CREATED = "succession.created"
    SUCCESSION_TRANSITION = "succession.transition"
    SUCCESSION_REFUSED = "succession.refused"
    TALENT_DEVELOPMENT = "talent.development"
    JOB_STARTED = "job.started"
    JOB_FINISHED = "job.finished"


def actor_ref(actor: Actor) -> str | None:
    """Return how an entry names ``actor``: ``user:<id>``, or None for the system.

    A delegate is the actor; whom they acted for goes into ``data`` (:func:`delegation_of`).
    """
    return None if actor.user_id is None else f"user:{actor.user_id}"


def delegation_of(actor: Actor) -> dict[str, str]:
    """Return the ``data`` members that name the delegator, if ``actor`` acts by delegation."""
    principal = actor.on_behalf_of
    if principal is None or principal.user_id is None:
        return {}
    return {ON_BEHALF_OF: f"user:{principal.user_id}"}


def entry_body(
    *,
    tenant: str,
    seq: int,
    prev: str,
    at: dt.datetime,
    kind: str,
    actor: str | None,
    data: Mapping[str, Any],
) -> str:
    """Return the canonical body of one entry (the text that is hashed and stored).

    :raises NotCanonicalisable: ``data`` holds a value without a stable canonical form.
    """
    return canonical_json(
        {
            "format": FORMAT,
            "tenant": tenant,
            "seq": seq,
            "prev": prev,
            "at": rfc3339(at),
            "kind": kind,
            "actor": actor,
            "data": data,
        }
    )


def body_hash(body: str | bytes) -> str:
    """Return the entry hash: lowercase hex SHA-256 of the body's UTF-8 bytes."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hashlib.sha256(raw).hexdigest()


def append(
    session: Session,
    *,
    tenant_id: int,
    kind: str,
    actor: str | None,
    data: Mapping[str, Any],
    at: dt.datetime,
) -> LedgerEntry:
    """Append one entry to a tenant's chain inside the caller's (write) transaction.

    The tenant's head row stays locked until that transaction ends, so the entry commits or
    rolls back together with the change it records and no other append can interleave. On
    PostgreSQL run it under READ COMMITTED (the default), and append to several tenants in one
    transaction only in ascending tenant id order, or two such transactions can deadlock.

    :raises InvalidInput: a malformed kind or actor, a naive ``at``, or ``data`` holding floats,
        unsafe integers, non-string keys or something that looks like a NIP/NIK.
    :raises NotFound: no tenant has id ``tenant_id``.
    """
    _check_request(kind, actor, data, at)
    # Pending ORM changes of the caller are written first, as the ORM's autoflush did before
    # the append went to the connection directly (SQLAlchemy Core: an append-only row gains
    # nothing from the unit of work, which cost more than the three statements themselves).
    session.flush()
    connection = session.connection()
    code, last_seq, prev = _lock_head(connection, tenant_id)
    seq = last_seq + 1
    body = entry_body(tenant=code, seq=seq, prev=prev, at=at, kind=kind, actor=actor, data=data)
    digest = body_hash(body)
    row = {
        "tenant_id": tenant_id,
        "seq": seq,
        "kind": str(kind),
        "body": body,
        "prev_hash": prev,
        "entry_hash": digest,
        "created_at": at,
    }
    connection.execute(_INSERT_ENTRY, row)
    connection.execute(_MOVE_HEAD, {"tenant": tenant_id, "seq": seq, "hash": digest})
    return LedgerEntry(**row)  # a detached copy of what was written, for the caller to read


_HEAD = ChainHead.__table__
_TENANT = Tenant.__table__
_INSERT_ENTRY = insert(LedgerEntry)
_MOVE_HEAD = (
    update(ChainHead)
    .where(_HEAD.c.tenant_id == bindparam("tenant"))
    .values(seq=bindparam("seq"), entry_hash=bindparam("hash"))
)
_LOCK_HEAD = (
    select(_TENANT.c.code, _HEAD.c.seq, _HEAD.c.entry_hash)
    .join_from(_HEAD, _TENANT, _HEAD.c.tenant_id == _TENANT.c.id)
    .where(_HEAD.c.tenant_id == bindparam("tenant"))
    .with_for_update(of=_HEAD)
)


def _check_request(kind: str, actor: str | None, data: Mapping[str, Any], at: dt.datetime) -> None:
    problems: list[dict[str, str]] = []
    if len(kind) > MAX_KIND_LENGTH or not KIND_PATTERN.fullmatch(kind):
        problems.append(
            {"field": "kind", "message": f"{kind!r} is not a dotted lower-case name (a.b)"}
        )
    if actor is not None and not (isinstance(actor, str) and ACTOR_PATTERN.fullmatch(actor)):
        problems.append(
            {"field": "actor", "message": "must be user:<id> or null (the system), never a name"}
        )
    delegator = data.get(ON_BEHALF_OF) if isinstance(data, Mapping) else None
    if delegator is not None and not (
        actor is not None and isinstance(delegator, str) and ACTOR_PATTERN.fullmatch(delegator)
    ):
        problems.append(
            {"field": f"data.{ON_BEHALF_OF}", "message": "must be user:<id>, with a user as actor"}
        )
    if at.tzinfo is None:
        problems.append({"field": "at", "message": "must be timezone-aware"})
    if not isinstance(data, Mapping):
        problems.append({"field": "data", "message": "must be a mapping"})
    else:
        try:
            check_value(data, "data")
            check_value(actor, "actor")
        except NotCanonicalisable as exc:
            problems.append({"field": exc.path, "message": exc.reason})
        problems.extend(_personal_numbers({"actor": actor, "data": data}, ""))
    if problems:
        raise InvalidInput("ledger entry refused: " + "; ".join(_describe(problems)), problems)


def _describe(problems: Sequence[Mapping[str, str]]) -> Iterator[str]:
    for problem in problems:
        yield f"{problem['field']}: {problem['message']}"


def _personal_numbers(value: object, path: str) -> Iterator[dict[str, str]]:
    if isinstance(value, str):
        if _PERSONAL_NUMBER.fullmatch(value):
            yield {
                "field": path,
                "message": "looks like a NIP/NIK; refer to people by internal id in the ledger",
            }
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _personal_numbers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _personal_numbers(item, f"{path}[{index}]")


def _lock_head(connection: Connection, tenant_id: int) -> tuple[str, int, str]:
    """Lock the tenant's head row (creating it on first use) and return (code, seq, hash)."""
    row = connection.execute(_LOCK_HEAD, {"tenant": tenant_id}).one_or_none()
    if row is None:
        exists = select(_TENANT.c.id).where(_TENANT.c.id == tenant_id)
        if connection.execute(exists).scalar() is None:
            raise NotFound(f"no tenant with id {tenant_id}", details={"tenant_id": tenant_id})
        dialect = connection.dialect.name
        insert_head = postgresql_insert if dialect == "postgresql" else sqlite_insert
        connection.execute(
            insert_head(ChainHead)
            .values(tenant_id=tenant_id, seq=0, entry_hash=GENESIS_HASH)
            .on_conflict_do_nothing(index_elements=[_HEAD.c.tenant_id])
        )
        row = connection.execute(_LOCK_HEAD, {"tenant": tenant_id}).one()
    code, seq, entry_hash = row
    return str(code), int(seq), str(entry_hash)


# ---------------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing verification found wrong; ``seq`` is the first entry it puts in doubt."""

    tenant: str
    seq: int | None
    reason: str
    checkpoint: Path | None = None

    def describe(self) -> str:
        """Return a one-line human description."""
        where = f"entry {self.seq}" if self.seq is not None else "checkpoints"
        source = f" [{self.checkpoint}]" if self.checkpoint else ""
        return f"tenant {self.tenant}, {where}: {self.reason}{source}"


@dataclass(frozen=True, slots=True)
class TenantReport:
    """What verification established about one tenant's chain."""

    tenant: str
    entries: int
    """Entries whose hash, body and link verified (up to the first break)."""
    head: str
    """The hash of the last verified entry (64 zeros for none)."""
    checkpoints: int
    """Trusted checkpoints compared with the chain."""
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Return whether nothing is wrong with this tenant's chain or checkpoints."""
        return not self.findings

    @property
    def first_break(self) -> Finding | None:
        """Return the finding with the lowest sequence number, if any names one."""
        located = [f for f in self.findings if f.seq is not None]
        return min(located, key=lambda f: f.seq or 0) if located else None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of :func:`verify`: one report per tenant, plus problems with key files."""

    tenants: tuple[TenantReport, ...]
    problems: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        """Return whether every chain and checkpoint verified."""
        return not self.problems and all(t.ok for t in self.tenants)

    def tenant(self, code: str) -> TenantReport:
        """Return the report of tenant ``code``."""
        for report in self.tenants:
            if report.tenant == code:
                return report
        raise KeyError(code)


def verify(
    source: Session | Database,
    *,
    tenant_code: str | None = None,
    checkpoints: CheckpointStore | None = None,
) -> VerifyReport:
    """Recompute every chain (or one tenant's) from the stored bytes and check the checkpoints.

    Reads stream, so memory stays flat however long the chain. Given a :class:`Database` it
    reads one consistent snapshot; given a session it reads what that session sees.

    :raises NotFound: ``tenant_code`` names no tenant in the database or the checkpoints.
    """
    with _snapshot(source) as session:
        return _verify(session, tenant_code, checkpoints)


@contextmanager
def _snapshot(source: Session | Database) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    with source.reader() as session:
        if not source.is_sqlite:
            # one snapshot for heads and entries, or a concurrent append looks like tampering
            session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
        yield session


def _verify(
    session: Session, tenant_code: str | None, store: CheckpointStore | None
) -> VerifyReport:
    codes: dict[int, str] = {
        int(tenant_id): str(code)
        for tenant_id, code in session.execute(select(Tenant.id, Tenant.code))
    }
    ids = {code: tenant_id for tenant_id, code in codes.items()}
    heads = {
        tenant_id: (seq, entry_hash)
        for tenant_id, seq, entry_hash in session.execute(
            select(ChainHead.tenant_id, ChainHead.seq, ChainHead.entry_hash)
        )
    }
    scan = store.scan(tenant_code) if store is not None else CheckpointScan()
    key_problems = tuple(
        Finding("(keys)", None, p.reason, p.path) for p in scan.problems if p.tenant is None
    )
    if tenant_code is not None:
        if tenant_code not in ids and tenant_code not in scan.tenants():
            raise NotFound(
                f"no tenant {tenant_code!r} in the ledger", details={"tenant": tenant_code}
            )
        scope = {tenant_code: ids.get(tenant_code)}
    else:
        stored = set(session.scalars(select(LedgerEntry.tenant_id).distinct()))
        scope = {codes.get(i, f"#{i}"): i for i in stored | set(heads)}
        scope.update({c: ids.get(c) for c in scan.tenants() if c not in scope})
    reports = []
    dialect = session.get_bind().dialect.name
    for code in sorted(scope):
        tenant_id = scope[code]
        reports.append(
            _verify_tenant(
                session,
                dialect,
                code,
                tenant_id,
                heads.get(tenant_id) if tenant_id is not None else None,
                scan.valid.get(code, []),
                [p for p in scan.problems if p.tenant == code],
            )
        )
    report = VerifyReport(tenants=tuple(reports), problems=key_problems)
    if not report.ok:
        log.warning(
            "ledger_verify_failed",
            broken=[t.tenant for t in report.tenants if not t.ok],
            key_problems=len(key_problems),
        )
    return report


def verify_chain(
    source: Session | Database,
    *,
    tenant_code: str,
    checkpoints: CheckpointStore | None = None,
) -> tuple[VerifyReport, int]:
    """Verify one tenant's chain up to its head as read first, and check its checkpoints;
    return the report (of that one chain) and the head's seq it verified up to.

    The head row is read at the start, in the same snapshot as the entries, and the walk stops
    at that seq: entries appended after it (a background job's own ``job.*`` entries, written
    to the chain it verifies) are not part of this verification, so they can neither pass as
    tampering nor change the result. An entry stored beyond that head within the snapshot
    (inserted without moving the head: tampering) is still reported.

    :raises NotFound: ``tenant_code`` names no tenant in the database or the checkpoints.
    """
    with _snapshot(source) as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == tenant_code))
        scan = checkpoints.scan(tenant_code) if checkpoints is not None else CheckpointScan()
        if tenant_id is None and tenant_code not in scan.tenants():
            raise NotFound(
                f"no tenant {tenant_code!r} in the ledger", details={"tenant": tenant_code}
            )
        head: tuple[int, str] | None = None
        if tenant_id is not None:
            row = session.execute(
                select(ChainHead.seq, ChainHead.entry_hash).where(ChainHead.tenant_id == tenant_id)
            ).first()
            head = None if row is None else (int(row[0]), str(row[1]))
        dialect = session.get_bind().dialect.name
        report = _verify_tenant(
            session,
            dialect,
            tenant_code,
            tenant_id,
            head,
            scan.valid.get(tenant_code, []),
            [p for p in scan.problems if p.tenant == tenant_code],
            None if head is None else head[0],
        )
        if head is not None and tenant_id is not None:
            beyond = session.scalar(
                select(func.min(LedgerEntry.seq)).where(
                    LedgerEntry.tenant_id == tenant_id, LedgerEntry.seq > head[0]
                )
            )
            if beyond is not None:
                reason = f"entry {beyond} lies beyond chain_head (seq {head[0]})"
                finding = Finding(tenant_code, int(beyond), reason)
                report = TenantReport(
                    tenant=report.tenant,
                    entries=report.entries,
                    head=report.head,
                    checkpoints=report.checkpoints,
                    findings=(*report.findings, finding),
                )
    key_problems = tuple(
        Finding("(keys)", None, p.reason, p.path) for p in scan.problems if p.tenant is None
    )
    upto = head[0] if head is not None else report.entries
    return VerifyReport(tenants=(report,), problems=key_problems), upto


@dataclass(slots=True)
class _Walk:
    """The state of one pass over a tenant's entries."""

    verified: int = 0
    last_hash: str = GENESIS_HASH
    hashes_at: dict[int, str] = field(default_factory=dict)
    broken: Finding | None = None


def _verify_tenant(
    session: Session,
    dialect: str,
    code: str,
    tenant_id: int | None,
    head: tuple[int, str] | None,
    trusted: list[StoredCheckpoint],
    untrusted: Sequence[CheckpointProblem],
    upto: int | None = None,
) -> TenantReport:
    wanted = {stored.checkpoint.size for stored in trusted}
    walk = (
        _walk(session, dialect, code, tenant_id, wanted, upto) if tenant_id is not None else _Walk()
    )
    findings: list[Finding] = []
    if tenant_id is None:
        if trusted:
            findings.append(Finding(code, 1, "a tenant with checkpoints is not in the database"))
    elif walk.broken is not None:
        findings.append(walk.broken)
    else:
        findings.extend(_head_findings(code, walk, head))
    compared = [stored for stored in trusted if _comparable(walk, stored)]
    findings.extend(_against_checkpoints(code, walk, compared))
    findings.extend(_split_views(code, trusted))
    findings.extend(Finding(code, None, p.reason, p.path) for p in untrusted)
    return TenantReport(
        tenant=code,
        entries=walk.verified,
        head=walk.last_hash,
        checkpoints=len(compared),
        findings=tuple(findings),
    )


def _head_findings(code: str, walk: _Walk, head: tuple[int, str] | None) -> Iterator[Finding]:
    size = walk.verified
    if head is None:
        if size:
            yield Finding(code, 1, "entries exist but the tenant has no chain_head row")
        return
    head_seq, head_hash = head
    if not isinstance(head_seq, int) or head_seq > size:
        yield Finding(
            code, size + 1, f"entry {size + 1} is missing: chain_head records {head_seq!r} entries"
        )
    elif head_seq < size:
        yield Finding(
            code, head_seq + 1, f"entry {head_seq + 1} lies beyond chain_head (seq {head_seq})"
        )
    elif head_hash != walk.last_hash:
        yield Finding(code, size, f"chain_head's hash differs from the hash of entry {size}")


def _comparable(walk: _Walk, stored: StoredCheckpoint) -> bool:
    """Return whether the chain is intact far enough to hold this checkpoint against it."""
    broken = walk.broken.seq if walk.broken is not None else None
    return broken is None or stored.checkpoint.size < broken


def _against_checkpoints(
    code: str, walk: _Walk, trusted: Sequence[StoredCheckpoint]
) -> Iterator[Finding]:
    """Report the earliest checkpoint the chain no longer reproduces, and the largest it lacks."""
    longer = [s for s in trusted if s.checkpoint.size > walk.verified]
    if longer:
        evidence = max(longer, key=lambda s: s.checkpoint.size)
        reason = (
            f"truncated: a checkpoint {_signed(evidence)} commits to "
            f"{evidence.checkpoint.size} entries, the database holds {walk.verified}"
        )
        yield Finding(code, walk.verified + 1, reason, evidence.path)
    differing = [
        s
        for s in trusted
        if s.checkpoint.size <= walk.verified
        and walk.hashes_at.get(s.checkpoint.size, GENESIS_HASH) != s.checkpoint.head
    ]
    if differing:
        evidence = min(differing, key=lambda s: s.checkpoint.size)
        reason = (
            f"rewritten: entry {evidence.checkpoint.size} no longer hashes to the head of "
            f"the checkpoint {_signed(evidence)}"
        )
        yield Finding(code, evidence.checkpoint.size, reason, evidence.path)


def _signed(stored: StoredCheckpoint) -> str:
    return f"signed {rfc3339(stored.checkpoint.time)} by {stored.key_id}"


def _split_views(code: str, trusted: list[StoredCheckpoint]) -> Iterator[Finding]:
    first_by_size: dict[int, StoredCheckpoint] = {}
    for stored in trusted:
        earlier = first_by_size.setdefault(stored.checkpoint.size, stored)
        if earlier.checkpoint.head != stored.checkpoint.head:
            reason = (
                f"split view: two signed checkpoints of size {stored.checkpoint.size} "
                f"disagree on the head ({earlier.path.name} and {stored.path.name})"
            )
            yield Finding(code, stored.checkpoint.size, reason, stored.path)


def _walk(
    session: Session,
    dialect: str,
    code: str,
    tenant_id: int,
    wanted: set[int],
    upto: int | None = None,
) -> _Walk:
    """Stream a tenant's entries in seq order (up to ``upto``, if given), stopping at the first
    that does not verify."""
    checker = _EntryChecker(code)
    walk = _Walk()
    expected = 1
    prev = GENESIS_HASH
    with _entries(session, dialect, tenant_id, upto) as rows:
        for seq, kind, body, prev_hash, entry_hash, created_at in rows:
            if type(seq) is not int or seq != expected:
                if type(seq) is int and seq > expected:
                    gap = f"entry {expected} is missing (the next stored entry is {seq})"
                else:
                    gap = f"unexpected stored seq {seq!r} where {expected} belongs"
                walk.broken = Finding(code, expected, gap)
                break
            digest, reason = checker.check(
                expected, prev, kind, body, prev_hash, entry_hash, created_at
            )
            if reason is not None:
                walk.broken = Finding(code, expected, reason)
                break
            prev = digest
            if expected in wanted:
                walk.hashes_at[expected] = prev
            expected += 1
    walk.verified = expected - 1
    walk.last_hash = prev
    return walk


@contextmanager
def _entries(
    session: Session, dialect: str, tenant_id: int, upto: int | None = None
) -> Iterator[Iterator[Sequence[Any]]]:
    """Yield (seq, kind, body, prev_hash, entry_hash, created_at as RFC 3339) rows in seq order
    (those up to seq ``upto`` when given: a chain as it was when its head was read).

    The database does the formatting so that rows arrive as text (or, from SQLite, raw bytes:
    a tampered file may hold invalid UTF-8, which must be reported rather than raised); on
    PostgreSQL the next batch is fetched while this one is checked.
    """
    columns = LedgerEntry.__table__.c
    selected: list[Any] = [columns.kind, columns.body, columns.prev_hash, columns.entry_hash]
    if dialect == "sqlite":
        # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; the body says "…T…Z"
        created_at = func.replace(columns.created_at, " ", "T").concat("Z")
        selected = [cast(column, LargeBinary) for column in (*selected, created_at)]
    else:
        selected.append(
            func.to_char(func.timezone("UTC", columns.created_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        )
    query = select(columns.seq, *selected).where(columns.tenant_id == tenant_id)
    if upto is not None:
        query = query.where(columns.seq <= upto)
    source = batches(session, query.order_by(columns.seq))
    if dialect == "postgresql":
        with read_ahead(source) as ahead:
            yield chain.from_iterable(ahead)
    else:
        try:
            yield chain.from_iterable(source)
        finally:
            source.close()


_JSON_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_ENVELOPE = re.compile(
    rb'\{"actor":(null|' + _JSON_STRING + rb"),"
    rb'"at":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)",'
    rb'"data":\{.*\},'
    rb'"format":"' + re.escape(FORMAT.encode()) + rb'",'
    rb'"kind":(' + _JSON_STRING + rb"),"
    rb'"prev":"([0-9a-f]{64})",'
    rb'"seq":([1-9][0-9]*),'
    rb'"tenant":(' + _JSON_STRING + rb")\}",
    re.DOTALL,
)
"""A body in canonical layout: members in RFC 8785 order, ``data`` an object, no whitespace.

Matching this instead of parsing keeps verification fast; ``data`` and ``actor`` are covered
by the hash alone, which is all that protects them in any case.
"""


class _EntryChecker:
    """Checks one tenant's rows against their bodies; caches the encodings it compares with."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.tenant = canonical_json(code).encode("utf-8")
        self.kinds: dict[object, bytes] = {}

    def check(
        self,
        seq: int,
        prev: str,
        kind: object,
        body: object,
        prev_hash: object,
        entry_hash: object,
        created_at: object,
    ) -> tuple[str, str | None]:
        """Return (the entry's hash, None) if it verifies, else ("", why not); never raises."""
        raw = body.encode("utf-8") if type(body) is str else body
        if type(raw) is not bytes:
            return "", "the body is missing"
        digest = hashlib.sha256(raw).hexdigest()
        if digest != (entry_hash if type(entry_hash) is str else _text(entry_hash)):
            return "", "entry_hash does not match the SHA-256 of the body"
        if prev != (prev_hash if type(prev_hash) is str else _text(prev_hash)):
            if seq == 1:
                return "", "prev_hash of the first entry is not 64 zeros"
            return "", f"prev_hash does not link to entry {seq - 1} (one of the two was altered)"
        match = _ENVELOPE.fullmatch(raw)
        if match is None:
            return "", _explain_layout(raw)
        _, at, body_kind, body_prev, body_seq, body_tenant = match.groups()
        row_kind = self.kinds.get(kind) or self._kind(kind)
        row_at = created_at if type(created_at) is bytes else _utf8(created_at)
        if (
            body_tenant != self.tenant
            or body_seq != b"%d" % seq
            or body_prev != prev.encode("ascii")
            or body_kind != row_kind
            or at != row_at
        ):
            return "", self._mismatch(seq, kind, match.groups(), row_kind, row_at)
        return digest, None

    def _kind(self, kind: object) -> bytes:
        text = _text(kind)
        encoded = b"" if text is None else canonical_json(text).encode("utf-8")
        if isinstance(kind, str | bytes):
            self.kinds[kind] = encoded
        return encoded

    def _mismatch(
        self, seq: int, kind: object, found: Sequence[bytes], row_kind: bytes, row_at: bytes
    ) -> str:
        _, at, body_kind, _, body_seq, body_tenant = found
        if body_tenant != self.tenant:
            return f"the body names tenant {_show(body_tenant)}, the row is {self.code!r}'s"
        if body_seq != b"%d" % seq:
            return f"the body says seq {_show(body_seq)}, the row is at seq {seq}"
        if body_kind != row_kind:
            return f"the body's kind {_show(body_kind)} differs from the row's {kind!r}"
        if at != row_at:
            return f"the body's at {_show(at)} differs from the row's created_at {_show(row_at)}"
        return "the body's prev differs from the row's prev_hash"


def _utf8(value: object) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else b""


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _show(value: bytes) -> str:
    return repr(value.decode("utf-8", "replace"))


def _explain_layout(raw: bytes) -> str:
    """Say why a body whose hash verified is still not a well-formed entry body."""
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        return f"the body is not UTF-8 JSON ({exc})"
    if type(parsed) is not dict or parsed.keys() != BODY_KEYS:
        return f"the body must be an object with exactly the members {sorted(BODY_KEYS)}"
    if parsed["format"] != FORMAT:
        return f"the body's format is {parsed['format']!r}, not {FORMAT!r}"
    return "the body is not in RFC 8785 canonical layout"


# ----------------------------------------------------------------------- checkpoints and export


@dataclass(frozen=True, slots=True)
class CheckpointRun:
    """What :func:`checkpoint` did: files written, and tenants it refused to sign."""

    written: tuple[Path, ...]
    refused: tuple[TenantReport, ...]


def checkpoint(
    db: Database,
    *,
    store: CheckpointStore,
    signer: Signer,
    now: dt.datetime,
    tenant_code: str | None = None,
) -> CheckpointRun:
    """Verify each tenant's chain (or one) and sign a checkpoint of its head into ``store``.

    Like a transparency-log witness, it signs only a chain that verifies against every earlier
    checkpoint, so a tampered chain is never blessed; tenants without entries are skipped.

    :raises NotFound: ``tenant_code`` names no tenant in the database or the checkpoints.
    """
    with _snapshot(db) as session:
        report = _verify(session, tenant_code, store)
    written: list[Path] = []
    refused: list[TenantReport] = []
    for tenant in report.tenants:
        if not tenant.ok:
            refused.append(tenant)
        elif tenant.entries:
            statement = checkpoint_for(tenant.tenant, tenant.entries, tenant.head, now, signer.name)
            written.append(store.write(statement, signer))
    return CheckpointRun(written=tuple(written), refused=tuple(refused))


def export(source: Session | Database, out: IO[str], *, tenant_code: str | None = None) -> int:
    """Write every entry (or one tenant's) to ``out`` as JSON Lines; return the line count.

    Tenants come in code order and entries in seq order; each line holds ``tenant``, ``seq``,
    ``kind``, ``prev_hash``, ``entry_hash`` and the exact ``body`` string (docs/ledger.md).

    :raises NotFound: ``tenant_code`` names no tenant.
    """
    count = 0
    for line in export_lines(source, tenant_codes=None if tenant_code is None else [tenant_code]):
        out.write(line)
        count += 1
    return count


def export_chain(
    source: Session | Database, out: BufferedIOBase, *, tenant_code: str
) -> tuple[int, int]:
    """Write one tenant's entries, up to its head as read first, to ``out`` as the export's
    JSON Lines (UTF-8: the bytes ``audit export --tenant`` writes for that chain); return
    (lines written, the head's seq).

    Entries appended after the head was read (a job's own entries) are left out, as in
    :func:`verify_chain`; the head and the entries are read in one snapshot.

    :raises NotFound: ``tenant_code`` names no tenant.
    """
    with _snapshot(source) as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == tenant_code))
        if tenant_id is None:
            raise NotFound(f"no tenant {tenant_code!r}", details={"tenant": tenant_code})
        upto = session.scalar(select(ChainHead.seq).where(ChainHead.tenant_id == tenant_id))
        head = int(upto or 0)
        dialect = session.get_bind().dialect.name
        count = 0
        with _entries(session, dialect, tenant_id, head) as rows:
            for seq, kind, body, prev_hash, entry_hash, _ in rows:
                out.write(_export_line(tenant_code, seq, kind, body, prev_hash, entry_hash))
                count += 1
    return count, head


def _export_line(
    code: str, seq: object, kind: object, body: object, prev_hash: object, entry_hash: object
) -> bytes:
    line = {
        "tenant": code,
        "seq": seq,
        "kind": _text(kind),
        "prev_hash": _text(prev_hash),
        "entry_hash": _text(entry_hash),
        "body": _text(body),
    }
    return (json.dumps(line, separators=(",", ":")) + "\n").encode("utf-8")


def export_lines(
    source: Session | Database, *, tenant_codes: Sequence[str] | None = None
) -> Iterator[str]:
    """Return the export's lines (each ending in ``\\n``) of every tenant, or of these ones.

    The tenants are looked up now, so an unknown code raises here rather than half-way through
    a stream; the entries are read lazily, in one snapshot, as the lines are consumed (close the
    iterator to stop early). The CLI's ``audit export`` and the API's stream are these lines.

    :raises NotFound: a code in ``tenant_codes`` names no tenant.
    """
    if tenant_codes is not None:
        with _snapshot(source) as session:
            found = set(session.scalars(select(Tenant.code).where(Tenant.code.in_(tenant_codes))))
        missing = [code for code in tenant_codes if code not in found]
        if missing:
            raise NotFound(f"no tenant {missing[0]!r}", details={"tenant": missing[0]})
    return _export_lines(source, tenant_codes)


def _export_lines(source: Session | Database, tenant_codes: Sequence[str] | None) -> Iterator[str]:
    with _snapshot(source) as session:
        query = select(Tenant.id, Tenant.code).order_by(Tenant.code)
        if tenant_codes is not None:
            query = query.where(Tenant.code.in_(tenant_codes))
        tenants = session.execute(query).all()
        dialect = session.get_bind().dialect.name
        for tenant_id, code in tenants:
            with _entries(session, dialect, tenant_id) as rows:
                for seq, kind, body, prev_hash, entry_hash, _ in rows:
                    line = {
                        "tenant": code,
                        "seq": seq,
                        "kind": _text(kind),
                        "prev_hash": _text(prev_hash),
                        "entry_hash": _text(entry_hash),
                        "body": _text(body),
                    }
                    yield json.dumps(line, separators=(",", ":")) + "\n"
