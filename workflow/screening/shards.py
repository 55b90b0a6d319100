"""A screening split into shards by agency and NIP range, and merged back as sorted streams.

The pool is ordered by (agency, NIP) and cut every ``size`` employees: a shard is one range of
that order, so a large agency spans several shards and small agencies share one. Planning is ONE
query (a window over the pool), not one per agency.

A shard is read from the database on its own (:func:`screen_shard`): narrowed (one narrowing
query over its range) or not, its candidates are loaded and evaluated :data:`BLOCK` at a time,
and written as four sorted sections (decisions in rank order; candidates, profiles and the
narrowed-out by NIP). :func:`assemble_outcome` merges the shards' sections as streams into the
stored screening: digests, result document, snapshot and shortlist equal, byte for byte after
decompression, what a single-process screening of the pool stores. No worker holds the pool:
a shard worker holds one block of profiles, the assembling worker the compressed shards.
"""

from __future__ import annotations

import datetime as dt
import gzip
import heapq
import io
import json
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.orm import Session

from rules import assembly
from rules.engine import ENGINE_VERSION
from rules.errors import PackInvalid, PackNotEffective
from rules.pack import Pack
from rules.screening import Decision, decide_shard, decision_from_json, decision_to_json, sort_key
from workflow.core import Database, InvalidInput
from workflow.models.registry import Employee
from workflow.screening.narrowing import classify, narrowing_for
from workflow.screening.profiles import load_profiles, vacancy_context
from workflow.screening.runs import ScreeningOutcome, outcome_from_streams

SHARD_SIZE = 20_000
"""Pool employees per shard by default (``JOBS_SHARD_SIZE``)."""
BLOCK = 5_000
"""Candidates a shard loads and evaluates at a time: what bounds a shard worker's memory."""

Key = tuple[int, str]
"""A place in the pool's order: (agency id, NIP)."""


@dataclass(frozen=True, slots=True)
class Shard:
    """The pool's employees from ``first`` (inclusive) to ``below`` (exclusive) in (agency, NIP)
    order, None meaning the pool's start or end; ``narrow``: only its plausible candidates are
    loaded, the pack's narrowable hard criteria leave the others out in the database."""

    first: Key | None
    below: Key | None
    size: int
    narrow: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the shard as JSON data (a job's plan; ``narrow`` only when set)."""
        data: dict[str, Any] = {
            "first": None if self.first is None else list(self.first),
            "below": None if self.below is None else list(self.below),
            "size": self.size,
        }
        if self.narrow:
            data["narrow"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shard:
        """Return the shard :meth:`to_json` wrote."""

        def key(value: list[Any] | None) -> Key | None:
            return None if value is None else (int(value[0]), str(value[1]))

        return cls(key(data["first"]), key(data["below"]), data["size"], bool(data.get("narrow")))

    def agencies(self, tenant_ids: Sequence[int]) -> list[int]:
        """Return the pool's agencies this range can hold (a short list to test rows against,
        not the nation's 549)."""
        low = -1 if self.first is None else self.first[0]
        high = None if self.below is None else self.below[0]
        return sorted(t for t in set(tenant_ids) if low <= t and (high is None or t <= high))

    def where(self) -> list[ColumnElement[bool]]:
        """Return the conditions keeping the employees of this range."""
        where: list[ColumnElement[bool]] = []
        order = tuple_(Employee.tenant_id, Employee.nip)
        if self.first is not None:
            where.append(order >= tuple_(*self.first))
        if self.below is not None:
            where.append(order < tuple_(*self.below))
        return where


def _pool(tenant_ids: Sequence[int], exclude_position_id: int | None) -> list[Any]:
    where: list[Any] = [Employee.tenant_id.in_(sorted(set(tenant_ids)))]
    if exclude_position_id is not None:
        holder = Employee.position_id != exclude_position_id
        where.append(Employee.position_id.is_(None) | holder)
    return where


def plan_shards(
    session: Session,
    *,
    tenant_ids: Sequence[int],
    exclude_position_id: int | None,
    size: int = SHARD_SIZE,
    narrow: bool = False,
) -> list[Shard]:
    """Return the shards of a pool: its (agency, NIP) order cut every ``size`` employees.

    Two queries: the pool's size, and the pool numbered by a window in that order keeping
    every ``size``-th key (on PostgreSQL both read only the (agency, NIP) index).
    """
    if size < 1:
        raise InvalidInput("the shard size must be at least 1")
    if not tenant_ids:
        return []
    pool = _pool(tenant_ids, exclude_position_id)
    total = session.scalar(select(func.count()).select_from(Employee).where(*pool)) or 0
    if total == 0:
        return []
    numbered = (
        select(
            Employee.tenant_id,
            Employee.nip,
            func.row_number().over(order_by=(Employee.tenant_id, Employee.nip)).label("n"),
        )
        .where(*pool)
        .subquery()
    )
    cuts = session.execute(
        select(numbered.c.tenant_id, numbered.c.nip)
        .where((numbered.c.n - 1) % size == 0, numbered.c.n > 1)
        .order_by(numbered.c.n)
    ).all()
    bounds: list[Key | None] = [None, *((int(t), str(n)) for t, n in cuts), None]
    return [
        Shard(bounds[i], bounds[i + 1], min(size, total - size * i), narrow)
        for i in range(len(bounds) - 1)
    ]


def screen_shard(
    db: Database,
    *,
    pack: Pack,
    position_id: int,
    reference_date: dt.date,
    tenant_ids: Sequence[int],
    shard: Shard,
) -> bytes:
    """Read one shard's candidates, evaluate them a block at a time, return the shard to store.

    A narrowed shard classifies its range in ONE narrowing query (the plausible ids and the
    narrowed-out with their first failing criterion); either way the candidates' ids are read
    in NIP order and their profiles loaded and evaluated :data:`BLOCK` at a time, in one read
    transaction.

    :raises InvalidInput: the pack does not decide the position's level or is not in effect.
    """
    writer = _ShardWriter()
    with db.read() as session:
        context = vacancy_context(session, position_id=position_id, reference_date=reference_date)
        narrowing = (
            narrowing_for(pack, context) if shard.narrow and context.level in pack.levels else ()
        )
        where = [*_pool(shard.agencies(tenant_ids), position_id), *shard.where()]
        if narrowing:
            ids, left_out = classify(session, narrowing, where=where)
        else:
            ids = list(session.scalars(select(Employee.id).where(*where).order_by(Employee.nip)))
            left_out = []
        for start in range(0, len(ids), BLOCK):
            profiles = load_profiles(session, employee_ids=ids[start : start + BLOCK])
            try:
                decisions = decide_shard(pack, context, profiles)
            except (PackInvalid, PackNotEffective) as exc:
                raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
            writer.add(profiles, decisions)
    return writer.finish(left_out)


MAGIC = b"MFS2"
"""A stored shard: this, five counts/lengths, then four gzip sections."""
_HEADER = struct.Struct(">4sIIIIII")
SECTION_LEVEL = 1
"""Sections are read once by the assembly and then deleted with the job: fast compression."""


class _ShardWriter:
    """Collects a shard's blocks: profiles and candidates are written as they come (blocks
    follow each other in NIP order), decisions kept (compact) and sorted at the end."""

    def __init__(self) -> None:
        self.candidates = io.BytesIO()
        self.profiles = io.BytesIO()
        self._candidates = gzip.GzipFile(
            fileobj=self.candidates, mode="wb", compresslevel=SECTION_LEVEL, mtime=0
        )
        self._profiles = gzip.GzipFile(
            fileobj=self.profiles, mode="wb", compresslevel=SECTION_LEVEL, mtime=0
        )
        self.decisions: list[Decision] = []

    def add(self, profiles: Sequence[Any], decisions: Sequence[Decision]) -> None:
        digests = {d.nip: d.profile_digest for d in decisions}
        for profile in profiles:  # by NIP
            self._candidates.write(
                assembly.pair(profile.nip, digests[profile.nip]).encode() + b"\n"
            )
            self._profiles.write(profile.canonical_json() + b"\n")
        self.decisions.extend(decisions)

    def finish(self, narrowed: Sequence[tuple[str, str]]) -> bytes:
        self._candidates.close()
        self._profiles.close()
        self.decisions.sort(key=sort_key)
        ranked = _gzip(
            json.dumps(decision_to_json(d), separators=(",", ":")) for d in self.decisions
        )
        left_out = _gzip(assembly.pairs(narrowed))
        sections = [ranked, self.candidates.getvalue(), self.profiles.getvalue(), left_out]
        header = _HEADER.pack(MAGIC, len(self.decisions), len(narrowed), *map(len, sections))
        return b"".join([header, *sections])


def _gzip(lines: Iterable[str]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=SECTION_LEVEL, mtime=0) as out:
        for line in lines:
            out.write(line.encode() + b"\n")
    return buffer.getvalue()


class Source(Protocol):
    """Where a stored shard's bytes are read from, a slice at a time."""

    def read(self, offset: int, size: int) -> bytes:
        """Return ``size`` bytes from ``offset`` (fewer at the end)."""
        ...


@dataclass(frozen=True, slots=True)
class InMemory:
    """A stored shard held in memory."""

    payload: bytes

    def read(self, offset: int, size: int) -> bytes:
        """Return a slice of the payload."""
        return self.payload[offset : offset + size]


@dataclass(frozen=True, slots=True)
class _Stored:
    """A stored shard's counts and where its four sections lie (still compressed)."""

    source: Source
    evaluated: int
    narrowed: int
    sections: tuple[tuple[int, int], ...]
    """(offset, length) of each section."""

    @classmethod
    def open(cls, source: Source) -> _Stored:
        magic, evaluated, narrowed, *lengths = _HEADER.unpack(source.read(0, _HEADER.size))
        if magic != MAGIC:
            raise ValueError("not a stored shard")
        sections, offset = [], _HEADER.size
        for length in lengths:
            sections.append((offset, length))
            offset += length
        return cls(source, evaluated, narrowed, tuple(sections))

    def lines(self, section: int) -> Iterator[bytes]:
        """Yield one section's lines (without the newline), reading and inflating :data:`READ`
        compressed bytes at a time (lines split in C: gzip's readline per line was a third of
        assembling a million)."""
        start, length = self.sections[section]
        inflate = zlib.decompressobj(wbits=31)  # a gzip member
        rest = b""
        for offset in range(start, start + length, READ):
            chunk = self.source.read(offset, min(READ, start + length - offset))
            *complete, rest = (rest + inflate.decompress(chunk)).split(b"\n")
            yield from complete
        tail = rest + inflate.flush()
        if tail:
            yield from tail.split(b"\n")


RANKED, CANDIDATES, PROFILES, NARROWED = range(4)
READ = 65_536
"""Compressed bytes a section's reader reads and inflates at a time."""


def shard_size(payload: bytes) -> int:
    """Return how many candidates a stored shard accounts for: evaluated and narrowed-out."""
    stored = _Stored.open(InMemory(payload))
    return stored.evaluated + stored.narrowed


def shard_counts(payload: bytes) -> tuple[int, int]:
    """Return a stored shard's (evaluated, narrowed-out) counts."""
    stored = _Stored.open(InMemory(payload))
    return stored.evaluated, stored.narrowed


def assemble_outcome(
    db: Database,
    *,
    pack: Pack,
    position_id: int,
    reference_date: dt.date,
    shards: Sequence[Source],
) -> ScreeningOutcome:
    """Merge stored shards (in any order) into what is stored of the pool's screening.

    Each stream is a k-way merge of the shards' sorted sections, read twice at most: the input
    digest (candidates and narrowed-out by NIP), then the result document and digest (decisions
    in rank order, narrowed-out again), then the snapshot (profiles by NIP). A section is read
    from its source :data:`READ` bytes at a time, so what the merge holds is one slice per shard
    (a job's shards are read from their rows: :class:`Source`), plus the shortlist.

    :raises InvalidInput: the pack does not decide the position's level or is not in effect.
    """
    with db.read() as session:
        context = vacancy_context(session, position_id=position_id, reference_date=reference_date)
    try:
        pack.check_level(context.level)
        pack.check_effective(context.reference_date)
    except (PackInvalid, PackNotEffective) as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
    stored = [_Stored.open(source) for source in shards]

    def merged(section: int) -> Iterator[str]:
        # pairs ["NIP",…] sort as their NIPs do: NIPs are 18 digits (workflow.registry.nip)
        return (line.decode() for line in heapq.merge(*(s.lines(section) for s in stored)))

    def ranked() -> Iterator[Decision]:
        runs = ((decision_from_json(json.loads(line)) for line in s.lines(RANKED)) for s in stored)
        return heapq.merge(*runs, key=sort_key)

    def profiles() -> Iterator[bytes]:
        # canonical JSON starts {"assessments": … so lines sort as their NIPs do only per shard:
        # merge on the NIP each line's candidate section gives
        runs = (zip(s.lines(CANDIDATES), s.lines(PROFILES), strict=True) for s in stored)
        return (profile for _, profile in heapq.merge(*runs, key=lambda item: item[0]))

    input_digest = assembly.input_digest(pack, context, merged(CANDIDATES), merged(NARROWED))
    return outcome_from_streams(
        db,
        pack=pack,
        context=context,
        engine=ENGINE_VERSION,
        input_digest=input_digest,
        ranked=ranked(),
        narrowed=merged(NARROWED),
        candidates=sum(s.evaluated + s.narrowed for s in stored),
        write_snapshot=lambda write: assembly.write_snapshot(write, context, profiles()),
    )
