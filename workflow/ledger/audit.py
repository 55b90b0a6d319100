"""The auditor's use cases over the ledger, scoped to the agencies the caller may read.

The same functions as ``flask audit verify | checkpoint | export`` (``workflow.ledger.chain``), with
the agency scope of :mod:`workflow.core.scope` in front: an agency's auditor reads, verifies,
exports and checkpoints their own agency's chain; national users (BKN) every agency's.

A checkpoint is an anchor, not agency data: it writes nothing in the database, only a signed
statement about a chain's head into the checkpoint directory, as a witness would. So a national
auditor may checkpoint any agency's chain (as the operator's ``audit checkpoint`` checkpoints
them all), while an agency's auditor checkpoints their own agency's chain only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from config import Settings
from workflow.core import Actor, Conflict, Database, NotFound, Page, PageRequest, readable
from workflow.ledger import chain as ledger
from workflow.ledger.checkpoints import (
    CheckpointScan,
    CheckpointStore,
    StoredCheckpoint,
    load_signer,
    parse_note,
)
from workflow.models import ChainHead, LedgerEntry, Tenant

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])

EXPORT_CHUNK_BYTES = 64 * 1024
"""The export stream gathers lines into chunks of about this size (fewer, larger writes)."""


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which ledger entries to list; None means any."""

    tenant_code: str | None = None
    vacancy_id: int | None = None
    kind: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class EntryView:
    """One entry as stored: the body's members and the two hashes (docs/ledger.md §2)."""

    tenant: str
    seq: int
    kind: str
    actor: str | None
    at: str | None
    """The body's ``at`` exactly as hashed (RFC 3339, six fractional digits, ``Z``)."""
    data: dict[str, Any] | None
    """None only when the stored body is not a JSON object (a tampered row)."""
    prev_hash: str
    entry_hash: str
    body: str
    """The exact canonical text that was hashed: SHA-256(body) is ``entry_hash``."""


def list_entries(
    db: Database, *, actor: Actor, where: EntryFilter, page: PageRequest
) -> Page[EntryView]:
    """Return entries of the agencies ``actor`` may read, by agency code and seq."""
    columns = (
        Tenant.code,
        LedgerEntry.seq,
        LedgerEntry.kind,
        LedgerEntry.body,
        LedgerEntry.prev_hash,
        LedgerEntry.entry_hash,
    )
    with db.read() as session:
        statement = _filtered(
            select(*columns)
            .join_from(LedgerEntry, Tenant, LedgerEntry.tenant_id == Tenant.id)
            .where(readable(actor).clause(LedgerEntry.tenant_id)),
            where,
        )
        if where.vacancy_id is not None:
            keys = _about_vacancy(session, statement, where.vacancy_id)
            statement = statement.where(tuple_(LedgerEntry.tenant_id, LedgerEntry.seq).in_(keys))
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = session.execute(
            statement.order_by(Tenant.code, LedgerEntry.seq)
            .limit(page.per_page)
            .offset(page.offset)
        ).all()
    return Page(
        items=[_view(*row) for row in rows], total=total, page=page.page, per_page=page.per_page
    )


def get_entry(db: Database, *, actor: Actor, tenant_code: str, seq: int) -> EntryView:
    """Return one entry of an agency the caller may read, as stored (tampered or not).

    :raises NotFound: no such agency readable by the caller, or no entry ``seq`` in its chain.
    """
    with db.read() as session:
        row = session.execute(
            select(
                Tenant.code,
                LedgerEntry.seq,
                LedgerEntry.kind,
                LedgerEntry.body,
                LedgerEntry.prev_hash,
                LedgerEntry.entry_hash,
            )
            .join_from(LedgerEntry, Tenant, LedgerEntry.tenant_id == Tenant.id)
            .where(
                readable(actor).clause(LedgerEntry.tenant_id),
                Tenant.code == tenant_code,
                LedgerEntry.seq == seq,
            )
        ).first()
    if row is None:
        raise NotFound(
            f"no ledger entry {tenant_code}#{seq}", details={"tenant": tenant_code, "seq": seq}
        )
    return _view(*row)


def _filtered(statement: _S, where: EntryFilter) -> _S:
    if where.tenant_code is not None:
        statement = statement.where(Tenant.code == where.tenant_code)
    if where.kind is not None:
        statement = statement.where(LedgerEntry.kind == where.kind)
    if where.since is not None:
        statement = statement.where(LedgerEntry.created_at >= where.since)
    if where.until is not None:
        statement = statement.where(LedgerEntry.created_at < where.until)
    return statement


def _about_vacancy(
    session: Session, statement: Select[*tuple[Any, ...]], vacancy_id: int
) -> list[tuple[int, int]]:
    """Return (tenant id, seq) of the entries ``statement`` selects whose ``data.vacancy`` is
    ``vacancy_id``.

    The body is canonical JSON, so a text match finds every candidate (``"vacancy":7`` then
    ``,`` or ``}``) by index-free scan without parsing; each candidate is then parsed here, so
    only the top-level member of ``data`` counts and a malformed (tampered) body is skipped
    rather than breaking the query.
    """
    body = LedgerEntry.body
    candidates = session.execute(
        statement.with_only_columns(LedgerEntry.tenant_id, LedgerEntry.seq, body).where(
            or_(
                body.contains(f'"vacancy":{vacancy_id},', autoescape=True),
                body.contains(f'"vacancy":{vacancy_id}}}', autoescape=True),
            )
        )
    )
    return [
        (tenant_id, seq) for tenant_id, seq, text in candidates if _names_vacancy(text, vacancy_id)
    ]


def _names_vacancy(body: str, vacancy_id: int) -> bool:
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    data = parsed.get("data") if isinstance(parsed, dict) else None
    value = data.get("vacancy") if isinstance(data, dict) else None
    return type(value) is int and value == vacancy_id


def _view(code: str, seq: int, kind: str, body: str, prev_hash: str, entry_hash: str) -> EntryView:
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    members: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    data = members.get("data")
    actor = members.get("actor")
    at = members.get("at")
    return EntryView(
        tenant=code,
        seq=seq,
        kind=kind,
        actor=actor if isinstance(actor, str) else None,
        at=at if isinstance(at, str) else None,
        data=data if isinstance(data, dict) else None,
        prev_hash=prev_hash,
        entry_hash=entry_hash,
        body=body,
    )


def _scoped_codes(db: Database, actor: Actor, tenant_code: str | None) -> list[str] | None:
    """Return the agencies an operation covers: ``[tenant_code]``, the caller's own, or None
    (every agency, for a national user asking for no agency in particular).

    :raises NotFound: ``tenant_code`` is no agency the caller may read.
    """
    if tenant_code is None:
        return None if actor.is_national else [actor.tenant_code]
    with db.read() as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == tenant_code))
    if tenant_id is None or not readable(actor).allows(tenant_id):
        raise NotFound(f"no agency {tenant_code!r}", details={"tenant": tenant_code})
    return [tenant_code]


def readable_chains(
    db: Database, *, actor: Actor, tenant_code: str | None, include: int | None = None
) -> list[tuple[int, str]]:
    """Return (tenant id, code) of the chains a verification or export by ``actor`` covers, by
    code: ``tenant_code``'s, the caller's own agency's, or (a national user naming none) every
    agency's chain that has entries; ``include`` adds that agency (one about to get its first
    entry, such as a job's own) when the caller may read it.

    :raises NotFound: ``tenant_code`` is no agency the caller may read.
    """
    codes = _scoped_codes(db, actor, tenant_code)
    with db.read() as session:
        query = select(Tenant.id, Tenant.code).order_by(Tenant.code)
        if codes is not None:
            query = query.where(Tenant.code.in_(codes))
        else:
            stored = select(ChainHead.tenant_id).union(select(LedgerEntry.tenant_id).distinct())
            if include is not None:
                query = query.where(or_(Tenant.id.in_(stored), Tenant.id == include))
            else:
                query = query.where(Tenant.id.in_(stored))
        return [(int(tenant_id), str(code)) for tenant_id, code in session.execute(query)]


def verify(
    db: Database, *, actor: Actor, tenant_code: str | None, checkpoint_dir: Path
) -> ledger.VerifyReport:
    """Recompute the chains the caller may read (or one) and check them against the checkpoints.

    The checkpoints' signatures are checked against the keys published beside them.

    :raises NotFound: ``tenant_code`` is no agency the caller may read.
    """
    codes = _scoped_codes(db, actor, tenant_code)
    store = CheckpointStore(checkpoint_dir)
    if codes is None:
        return ledger.verify(db, checkpoints=store)
    return ledger.verify(db, tenant_code=codes[0], checkpoints=store)


def export(db: Database, *, actor: Actor, tenant_code: str | None) -> Iterator[bytes]:
    """Return the export of the chains the caller may read (or one) as a stream of chunks.

    The bytes are those of ``flask audit export`` (``--tenant`` for one agency): JSON Lines,
    agencies in code order, entries in seq order. Nothing is held whole: the entries are read
    as the chunks are consumed.

    :raises NotFound: ``tenant_code`` is no agency the caller may read (raised now, before
        any byte is produced).
    """
    lines = ledger.export_lines(db, tenant_codes=_scoped_codes(db, actor, tenant_code))
    return _chunks(lines)


def _chunks(lines: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    try:
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= EXPORT_CHUNK_BYTES:
                yield "".join(buffer).encode("utf-8")
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode("utf-8")
    finally:
        close = getattr(lines, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True, slots=True)
class CheckpointView:
    """A signed checkpoint as stored: what it says, who signed it, and the note itself."""

    tenant: str
    size: int
    head: str
    """``entry_hash`` of entry ``size``, as 64 hex digits (the note carries it in base64)."""
    time: dt.datetime
    key_id: str
    file: str
    note: str


def _checkpoint_view(stored: StoredCheckpoint) -> CheckpointView:
    checkpoint = stored.checkpoint
    return CheckpointView(
        tenant=checkpoint.tenant,
        size=checkpoint.size,
        head=checkpoint.head,
        time=checkpoint.time,
        key_id=stored.key_id,
        file=stored.path.name,
        note=stored.path.read_text(encoding="utf-8"),
    )


def _written(path: Path, key_id: str) -> CheckpointView:
    note = path.read_text(encoding="utf-8")
    checkpoint, _, _ = parse_note(note)
    return CheckpointView(
        tenant=checkpoint.tenant,
        size=checkpoint.size,
        head=checkpoint.head,
        time=checkpoint.time,
        key_id=key_id,
        file=path.name,
        note=note,
    )


def create_checkpoints(
    db: Database, *, actor: Actor, settings: Settings, tenant_code: str | None, now: dt.datetime
) -> list[CheckpointView]:
    """Verify the chains the caller may read (or one) and sign a checkpoint of each head.

    Chains without entries are not checkpointed (the list may be empty).

    :raises NotFound: ``tenant_code`` is no agency the caller may read.
    :raises Conflict: a chain does not verify, so it was not signed (as ``audit checkpoint``,
        the other chains were); ``refused`` and ``written`` say which.
    :raises ConfigurationError: no usable signing key.
    """
    codes = _scoped_codes(db, actor, tenant_code)
    signer = load_signer(settings)
    run = ledger.checkpoint(
        db,
        store=CheckpointStore(settings.checkpoint_dir),
        signer=signer,
        now=now,
        tenant_code=None if codes is None else codes[0],
    )
    written = [_written(path, signer.verifier.key_id) for path in run.written]
    if run.refused:
        refused = []
        for tenant in run.refused:
            first = tenant.first_break
            refused.append(
                {
                    "tenant": tenant.tenant,
                    "seq": first.seq if first is not None else None,
                    "reason": (first or tenant.findings[0]).reason,
                }
            )
        raise Conflict(
            "a chain does not verify, so it was not signed: "
            + ", ".join(str(item["tenant"]) for item in refused),
            details={
                "refused": refused,
                "written": [{"tenant": v.tenant, "size": v.size, "file": v.file} for v in written],
            },
        )
    return written


def list_checkpoints(
    db: Database, *, actor: Actor, checkpoint_dir: Path, tenant_code: str | None, page: PageRequest
) -> Page[CheckpointView]:
    """Return the checkpoints with a trusted signature of the agencies the caller may read,
    newest first within each agency (agencies by code); verification reports the others."""
    store = CheckpointStore(checkpoint_dir)
    if actor.is_national:
        scan = store.scan(tenant_code)
        codes = sorted(scan.valid)
    else:
        wanted = actor.tenant_code if tenant_code in (None, actor.tenant_code) else None
        scan = store.scan(wanted) if wanted is not None else CheckpointScan()
        codes = [wanted] if wanted is not None and wanted in scan.valid else []
    found: list[StoredCheckpoint] = []
    for code in codes:
        found.extend(
            sorted(
                scan.valid[code],
                key=lambda s: (s.checkpoint.time, s.checkpoint.size),
                reverse=True,
            )
        )
    chosen = found[page.offset : page.offset + page.per_page]
    return Page(
        items=[_checkpoint_view(stored) for stored in chosen],
        total=len(found),
        page=page.page,
        per_page=page.per_page,
    )
