"""Use cases for published rule packs: publish (immutable, by digest), load, list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import structlog
from sqlalchemy import select

from rules.compiler import compile_in_subprocess
from rules.errors import PackInvalid
from rules.pack import Pack, pack_from_canonical
from rules.vocab import TenantLevel
from workflow import ledger
from workflow.core import Conflict, Database, InvalidInput, NotFound
from workflow.models import Tenant
from workflow.models.rules import RulePack

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PublishedPack:
    """A stored pack version, as a listing shows it."""

    pack_id: str
    version: str
    digest: str
    parent_digest: str | None
    published_at: dt.datetime
    published_by: str
    already_published: bool = False
    """True when publishing found this exact version (same digest) already stored."""


def _view(row: RulePack, *, already: bool = False) -> PublishedPack:
    return PublishedPack(
        pack_id=row.pack_id,
        version=row.version,
        digest=row.digest,
        parent_digest=row.parent_digest,
        published_at=row.published_at,
        published_by=row.published_by,
        already_published=already,
    )


def publish_pack(
    db: Database,
    *,
    pack: Pack,
    published_by: str,
    now: dt.datetime,
    compile_timeout: float = 20.0,
) -> PublishedPack:
    """Store ``pack`` as an immutable published version; republishing it unchanged is a no-op.

    Every level's ruleset is first compiled in a subprocess with a timeout, because durable_rules
    can hang on a ruleset its limits do not allow.

    :raises Conflict: this pack id and version are already published with another digest.
    :raises InvalidInput: the overlay's parent is not published, the ruleset does not compile,
        or there is no national agency whose ledger records the publication.
    """
    with db.read() as session:
        existing = session.scalars(
            select(RulePack).where(RulePack.pack_id == pack.id, RulePack.version == pack.version)
        ).one_or_none()
        if existing is not None:
            return _existing(existing, pack)
    failure = compile_in_subprocess(
        {pack.compiled(level).name: pack.compiled(level).definition for level in pack.levels},
        timeout=compile_timeout,
    )
    if failure is not None:
        raise InvalidInput(
            f"pack {pack.id} {pack.version} cannot be published",
            [{"file": pack.source, "field": "criteria", "message": failure}],
        )
    with db.transaction() as session:
        existing = session.scalars(
            select(RulePack).where(RulePack.pack_id == pack.id, RulePack.version == pack.version)
        ).one_or_none()
        if existing is not None:
            return _existing(existing, pack)
        parent_digest = pack.parent.digest if pack.parent else None
        if (
            parent_digest is not None
            and session.scalars(select(RulePack.id).where(RulePack.digest == parent_digest)).first()
            is None
        ):
            assert pack.parent is not None
            raise InvalidInput(
                f"publish the parent {pack.parent.id} {pack.parent.version} first",
                [
                    {
                        "file": pack.source,
                        "field": "parent",
                        "message": f"parent digest {parent_digest} is not published",
                    }
                ],
            )
        national = session.scalar(
            select(Tenant.id).where(Tenant.level == TenantLevel.NATIONAL.value).order_by(Tenant.id)
        )
        if national is None:
            raise InvalidInput(
                "register the national agency before publishing: a publication is recorded "
                "in its ledger",
                [{"field": "tenant", "message": "no tenant of level national"}],
            )
        row = RulePack(
            pack_id=pack.id,
            version=pack.version,
            digest=pack.digest,
            canonical=pack.canonical_json.decode(),
            parent_digest=parent_digest,
            published_at=now,
            published_by=published_by,
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            tenant_id=national,
            kind=ledger.LedgerKind.RULES_PUBLISH,
            actor=None,  # the CLI's operator; `published_by` (not chained) says who
            at=now,
            data={
                "pack": pack.id,
                "version": pack.version,
                "digest": pack.digest,
                "parent": parent_digest,
            },
        )
        view = _view(row)
    log.info("rule_pack_published", pack=pack.id, version=pack.version, digest=pack.digest)
    return view


def _existing(row: RulePack, pack: Pack) -> PublishedPack:
    if row.digest != pack.digest:
        raise Conflict(
            f"{pack.id} {pack.version} is already published with digest {row.digest}; "
            f"this content has digest {pack.digest}. A published version is immutable: "
            "give the changed pack a new version",
            details={"published_digest": row.digest, "digest": pack.digest},
        )
    return _view(row, already=True)


def load_published(db: Database, *, digest: str) -> Pack:
    """Return the published pack with this digest, verified against its stored digest.

    :raises NotFound: no pack with this digest is published.
    :raises InvalidInput: the stored JSON no longer matches its digest.
    """
    with db.read() as session:
        row = session.scalars(select(RulePack).where(RulePack.digest == digest)).one_or_none()
        if row is None:
            raise NotFound(f"no published rule pack with digest {digest}")
        text = row.canonical
    try:
        pack = pack_from_canonical(text)
    except PackInvalid as exc:
        raise InvalidInput(
            f"stored rule pack {digest} is corrupt", [p.as_dict() for p in exc.problems]
        ) from exc
    if pack.digest != digest:
        raise InvalidInput(
            f"stored rule pack {digest} re-digests to {pack.digest}",
            [{"field": "canonical", "message": "content does not match its digest"}],
        )
    return pack


def list_published(db: Database) -> list[PublishedPack]:
    """Return every published pack version, oldest first."""
    with db.read() as session:
        rows = session.scalars(select(RulePack).order_by(RulePack.published_at, RulePack.id))
        return [_view(r) for r in rows]


def resolve(db: Database, reference: str) -> PublishedPack:
    """Return the published pack a reference names: a digest, or a pack id (its newest version).

    :raises NotFound: nothing published matches.
    """
    with db.read() as session:
        query = select(RulePack)
        if len(reference) == 64 and all(c in "0123456789abcdef" for c in reference):
            query = query.where(RulePack.digest == reference)
        else:
            query = query.where(RulePack.pack_id == reference)
        row = session.scalars(
            query.order_by(RulePack.published_at.desc(), RulePack.id.desc())
        ).first()
        if row is None:
            raise NotFound(f"no published rule pack {reference!r}")
        return _view(row)
