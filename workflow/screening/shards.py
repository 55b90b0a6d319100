"""A screening split into shards: by agency, then by NIP range, about ``size`` candidates each.

A shard is read from the database on its own (:func:`screen_shard`), evaluated with the pinned
pack into sorted decisions, and stored as JSON; :func:`assemble_shards` merges the stored shards
into the :class:`~rules.screening.ScreeningResult` a single-process screening gives, digest for
digest. A worker holds one shard at a time, so its memory is bounded by the shard size.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from rules.errors import PackInvalid, PackNotEffective
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.screening import (
    Decision,
    ScreeningResult,
    assemble,
    decide_shard,
    decision_from_json,
    decision_to_json,
)
from workflow.core import Database, InvalidInput
from workflow.models.registry import Employee
from workflow.screening.narrowing import classify, narrowing_for
from workflow.screening.profiles import load_profiles, vacancy_context

SHARD_SIZE = 5000
"""Candidates per shard by default (``JOBS_SHARD_SIZE``)."""


@dataclass(frozen=True, slots=True)
class Shard:
    """One agency's candidates whose NIP is in ``[nip_from, nip_below)`` (None: unbounded);
    ``narrow``: only its plausible candidates are loaded, the pack's narrowable hard criteria
    leave the others out in the database (:mod:`workflow.screening.narrowing`)."""

    tenant: int
    nip_from: str | None
    nip_below: str | None
    size: int
    narrow: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the shard as JSON data (a job's plan; ``narrow`` only when set)."""
        data: dict[str, Any] = {
            "tenant": self.tenant,
            "from": self.nip_from,
            "below": self.nip_below,
            "size": self.size,
        }
        if self.narrow:
            data["narrow"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shard:
        """Return the shard :meth:`to_json` wrote."""
        return cls(
            data["tenant"], data["from"], data["below"], data["size"], bool(data.get("narrow"))
        )


def _pool(tenant: int, exclude_position_id: int | None) -> Any:
    query = select(Employee.nip).where(Employee.tenant_id == tenant)
    if exclude_position_id is not None:
        query = query.where(
            (Employee.position_id.is_(None)) | (Employee.position_id != exclude_position_id)
        )
    return query


def plan_shards(
    session: Session,
    *,
    tenant_ids: Sequence[int],
    exclude_position_id: int | None,
    size: int = SHARD_SIZE,
    narrow: bool = False,
) -> list[Shard]:
    """Return the shards of a pool: each agency in order, cut every ``size`` NIPs (each shard
    narrowed in the database when ``narrow``).

    One count per agency and one boundary query per cut; no NIP list is held in memory.
    """
    if size < 1:
        raise InvalidInput("the shard size must be at least 1")
    shards: list[Shard] = []
    for tenant in sorted(set(tenant_ids)):
        pool = _pool(tenant, exclude_position_id)
        count = session.scalar(select(func.count()).select_from(pool.subquery())) or 0
        if count == 0:
            continue
        cuts: list[str] = []
        for offset in range(size, count, size):
            nip = session.scalar(pool.order_by(Employee.nip).offset(offset).limit(1))
            if nip is not None:
                cuts.append(nip)
        bounds: list[str | None] = [None, *cuts, None]
        for i in range(len(bounds) - 1):
            last = i == len(bounds) - 2
            shards.append(
                Shard(tenant, bounds[i], bounds[i + 1], count - size * i if last else size, narrow)
            )
    return shards


def screen_shard(
    db: Database,
    *,
    pack: Pack,
    position_id: int,
    reference_date: dt.date,
    shard: Shard,
) -> bytes:
    """Read one shard's candidates, evaluate them, and return the shard result to store.

    A narrowed shard classifies its NIP range in ONE narrowing query (the plausible ids and the
    narrowed-out with their first failing criterion), then loads only the plausible profiles.

    :raises InvalidInput: the pack does not decide the position's level or is not in effect.
    """
    left_out: list[tuple[str, str]] = []
    with db.read() as session:
        context = vacancy_context(session, position_id=position_id, reference_date=reference_date)
        narrowing = (
            narrowing_for(pack, context) if shard.narrow and context.level in pack.levels else ()
        )
        if narrowing:
            kept, left_out = classify(
                session,
                narrowing,
                tenant_ids=[shard.tenant],
                exclude_position_id=position_id,
                where=nip_range(shard.nip_from, shard.nip_below),
            )
            profiles = load_profiles(session, employee_ids=kept)
        else:
            profiles = load_profiles(
                session,
                tenant_ids=[shard.tenant],
                exclude_position_id=position_id,
                nip_from=shard.nip_from,
                nip_below=shard.nip_below,
            )
    try:
        decisions = decide_shard(pack, context, profiles)
    except (PackInvalid, PackNotEffective) as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
    return encode_shard(profiles, decisions, left_out)


def nip_range(nip_from: str | None, nip_below: str | None) -> list[ColumnElement[bool]]:
    """Return the conditions keeping the employees whose NIP is in ``[nip_from, nip_below)``."""
    where: list[ColumnElement[bool]] = []
    if nip_from is not None:
        where.append(Employee.nip >= nip_from)
    if nip_below is not None:
        where.append(Employee.nip < nip_below)
    return where


def encode_shard(
    profiles: Sequence[CandidateProfile],
    decisions: Sequence[Decision],
    narrowed: Sequence[tuple[str, str]] = (),
) -> bytes:
    """Return a shard's profiles, decisions and narrowed-out (NIP, criterion) as gzip of
    compact JSON (``narrowed`` only when the shard was narrowed)."""
    data: dict[str, Any] = {
        "profiles": [p.to_json() for p in profiles],
        "decisions": [decision_to_json(d) for d in decisions],
    }
    if narrowed:
        data["narrowed"] = [list(pair) for pair in narrowed]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return gzip.compress(text.encode("utf-8"), mtime=0)


def shard_size(payload: bytes) -> int:
    """Return how many candidates a stored shard accounts for: evaluated and narrowed-out."""
    data = json.loads(gzip.decompress(payload))
    return len(data["decisions"]) + len(data.get("narrowed", ()))


def assemble_shards(
    db: Database,
    *,
    pack: Pack,
    position_id: int,
    reference_date: dt.date,
    payloads: Sequence[bytes],
) -> ScreeningResult:
    """Merge stored shard results (in plan order) into the pool's screening result.

    :raises InvalidInput: the pack does not decide the position's level or is not in effect.
    """
    with db.read() as session:
        context: VacancyContext = vacancy_context(
            session, position_id=position_id, reference_date=reference_date
        )
    shards = []
    narrowed: list[tuple[str, str]] = []
    for payload in payloads:
        data = json.loads(gzip.decompress(payload))
        profiles = [CandidateProfile.from_json(p) for p in data["profiles"]]
        shards.append((profiles, [decision_from_json(d) for d in data["decisions"]]))
        narrowed.extend((nip, criterion) for nip, criterion in data.get("narrowed", ()))
    try:
        return assemble(pack, context, shards, narrowed=narrowed)
    except (PackInvalid, PackNotEffective) as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
