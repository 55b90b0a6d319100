"""A screening's digests and stored documents, written from sorted streams in bounded memory.

The digests (``docs/rules.md``) and the two stored documents of a screening — the input snapshot
and the ranked result — are JSON texts over the whole pool. :mod:`rules.screening` computes them
from a result held in memory; a sharded screening of millions cannot hold its pool, so here they
are written from streams: candidates by NIP, decisions in rank order, the narrowed-out by NIP.
Each stream is read once, one item at a time, and the text goes to a hash and to a writer (the
caller's gzip file) in pieces. Both paths use these functions, so their bytes are the same.

Pairs travel as their canonical JSON text (``["nip","value"]``, :func:`pairs`): that is what the
digests and the document hold, so a stream of stored pairs is hashed and written as it is read.

* :func:`input_digest` reads ``(nip, profile digest)`` by NIP and the narrowed-out by NIP;
* :func:`write_snapshot` writes ``{"profiles": [...], "vacancy": ...}`` from canonical profile
  JSON by NIP;
* :func:`write_result` reads the decisions in rank order and the narrowed-out again, returns the
  result digest and (given a writer) writes the summary document with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any, Protocol

from rules.pack import Pack
from rules.profile import VacancyContext

Write = Callable[[str], object]
"""Where a document's text goes, piece by piece (a text file's ``write``)."""

BATCH = 2000
"""Items joined into one piece of text before it is hashed or written."""

_q = json.encoder.encode_basestring


class Ranked(Protocol):
    """What the result document and digest read of a decision (``rules.screening.Decision``)."""

    @property
    def nip(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def codes(self) -> bytes: ...
    @property
    def box(self) -> int | None: ...
    @property
    def readiness(self) -> int: ...
    @property
    def decision_digest(self) -> str: ...


def canonical(data: object) -> str:
    """Return the RFC 8785 JSON of digest documents (strings, integers, lists, ASCII keys).

    For such data sorted-key compact ``json.dumps`` is byte-identical to RFC 8785 (a test proves
    it on real screenings) and much faster than the pure-Python ``rfc8785`` package.
    """
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pair(a: str, b: str) -> str:
    """Return ``[a,b]`` as canonical JSON (both strings escaped as RFC 8785 does)."""
    return f"[{_q(a)},{_q(b)}]"


def pairs(items: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Yield each ``(a, b)`` as its canonical JSON text ``[a,b]``."""
    return (pair(a, b) for a, b in items)


def _joined(pieces: Iterable[str]) -> Iterator[str]:
    """Yield ``pieces`` joined by commas, :data:`BATCH` at a time (a comma between batches)."""
    iterator = iter(pieces)
    first = True
    while batch := list(islice(iterator, BATCH)):
        yield ("" if first else ",") + ",".join(batch)
        first = False


def _peek(items: Iterable[Any]) -> tuple[bool, Iterator[Any]]:
    """Return whether ``items`` has an item, and an iterator over all of them."""
    iterator = iter(items)
    for head in iterator:
        return True, chain((head,), iterator)
    return False, iterator


def _narrowed(narrowed: Iterable[str]) -> Iterator[str]:
    """Yield ``,"narrowed":[...]`` in pieces, or nothing when the list is empty (the key is then
    absent, so a screening without narrowing keeps its digests)."""
    some, iterator = _peek(narrowed)
    if some:
        yield ',"narrowed":['
        yield from _joined(iterator)
        yield "]"


def input_digest(
    pack: Pack,
    context: VacancyContext,
    candidates: Iterable[str],
    narrowed: Iterable[str] = (),
) -> str:
    """Return the input digest of ``candidates`` ((NIP, profile digest) pairs, by NIP) and the
    narrowed-out ((NIP, criterion) pairs, by NIP), both as :func:`pairs` text."""
    digest = hashlib.sha256()
    for piece in chain(
        ('{"candidates":[',),
        _joined(candidates),
        ("]",),
        _narrowed(narrowed),
        (
            f',"pack_digest":"{pack.digest}",'
            f'"reference_date":"{context.reference_date.isoformat()}",'
            f'"vacancy":{canonical(context.to_json())}}}',
        ),
    ):
        digest.update(piece.encode())
    return digest.hexdigest()


def write_snapshot(write: Write, context: VacancyContext, profiles: Iterable[bytes]) -> None:
    """Write the input snapshot ``{"profiles": [...], "vacancy": ...}`` (keys sorted, compact),
    the profiles given as their canonical JSON, by NIP."""
    write('{"profiles":[')
    for piece in _joined(p.decode() for p in profiles):
        write(piece)
    write(f'],"vacancy":{canonical(context.to_json())}}}')


def write_result(
    write: Write | None,
    pack: Pack,
    context: VacancyContext,
    *,
    engine: str,
    input_digest: str,
    ranked: Iterable[Ranked],
    narrowed: Iterable[str] = (),
) -> str:
    """Return the result digest of ``ranked`` (every evaluated decision, in rank order) and the
    narrowed-out (:func:`pairs` text, by NIP); with ``write``, also write the result document
    that holds it.

    The document is ``{"criteria", "engine", "input_digest", "narrowed"?, "pack", "ranking",
    "result_digest", "vacancy"}`` (keys sorted, compact), one ranking entry per decision.
    """
    criteria = canonical([c.id for c in pack.compiled(context.level).criteria])
    digest = hashlib.sha256(f'{{"criteria":{criteria},"input_digest":"{input_digest}"'.encode())
    pack_json = canonical({"digest": pack.digest, "id": pack.id, "version": pack.version})
    if write is not None:
        write(f'{{"criteria":{criteria},"engine":{_q(engine)},"input_digest":"{input_digest}"')
    for piece in _narrowed(narrowed):
        digest.update(piece.encode())
        if write is not None:
            write(piece)
    digest.update(f',"pack_digest":"{pack.digest}","ranking":['.encode())
    if write is not None:
        write(f',"pack":{pack_json},"ranking":[')
    labels = [canonical(r.label.to_data()) for r in pack.ranking.readiness]
    otherwise = canonical(pack.ranking.otherwise.to_data())
    first = True
    iterator = iter(ranked)
    rank = 0
    while batch := list(islice(iterator, BATCH)):
        comma = "" if first else ","
        first = False
        digest.update((comma + ",".join(pair(d.nip, d.decision_digest) for d in batch)).encode())
        if write is not None:
            entries = []
            for d in batch:
                rank += 1
                box = "null" if d.box is None else str(d.box)
                readiness = labels[d.readiness] if d.readiness >= 0 else otherwise
                entries.append(
                    f'{{"box":{box},"codes":"{d.codes.hex()}","nip":{_q(d.nip)},'
                    f'"rank":{rank},"readiness":{readiness},"status":{_q(d.status)}}}'
                )
            write(comma + ",".join(entries))
    digest.update(b"]}")
    result = digest.hexdigest()
    if write is not None:
        write(f'],"result_digest":"{result}","vacancy":{canonical(context.to_json())}}}')
    return result
