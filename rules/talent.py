"""The talent map: every employee of an agency placed on the 9-box by a pack, with digests.

:func:`map_talent` is pure: given a pack, a reference date and the loaded subjects (a profile,
the employee's current level and unit) it returns each one's placement, a digest of the input
and a digest of the result, so a run can be stored and replayed bit for bit. Nothing here reads
a database; a caller that wants to shard a large agency hands each process a slice of subjects
and merges the placements (they are sorted by NIP, and both digests depend only on the set).

Each employee is measured against the level they would be promoted into next (their *target*):
the pack's settings for that level decide the competency standard a computed JPM is read
against and the talent-pool boxes. The box itself is the pack's ``nine_box`` table at the
performance axis (the latest rated year's predicate) × the potential axis (the latest
assessment's category, else its JPM against the cut-offs), exactly as a screening computes it.

Digests (``docs/talent.md`` documents both):

* input: SHA-256 of the RFC 8785 JSON ``{"pack_digest", "reference_date", "subjects":
  [[nip, sha256(profile JSON), level, unit], …] sorted by NIP}``;
* result: SHA-256 of ``{"input_digest", "pack_digest", "placements": [[nip, box,
  performance_axis, potential_axis, target, in_pool], …] sorted by NIP}``.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from rules.derive import measure
from rules.errors import Problem, ProfileInvalid
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.vocab import PROMOTION_TARGETS, PositionLevel

METHOD = "talent-map/1"
"""What computed the placements (recorded with a run; part of neither digest)."""
CHUNK = 2000
"""Subjects per task when a map fans out across processes."""


class Subject(NamedTuple):
    """One employee as the talent map reads them."""

    profile: CandidateProfile
    level: PositionLevel | None
    """The level of the position they hold now (None: no position)."""
    unit: str | None
    """The organisational unit of that position."""


class Placement(NamedTuple):
    """Where one employee lands on the 9-box."""

    nip: str
    level: str | None
    unit: str | None
    target: str
    """The level the employee was measured against (the next one up the pack decides)."""
    performance_axis: str | None
    potential_axis: str | None
    box: int | None
    """None: not mapped (no rated last year, or no assessment)."""
    in_pool: bool
    """Whether the box is one of the pack's ``talent_pool_boxes`` for the target level."""
    profile_digest: str


@dataclass(frozen=True, slots=True)
class TalentMap:
    """The placements of one talent-map run and its digests."""

    pack_digest: str
    reference_date: dt.date
    placements: tuple[Placement, ...]
    """Sorted by NIP."""
    input_digest: str
    result_digest: str
    snapshot: bytes = b""
    """The run's input as :func:`snapshot_json` writes it (built during the map, which writes
    every profile's canonical JSON anyway)."""

    @property
    def mapped(self) -> int:
        """Return how many employees got a box."""
        return sum(1 for p in self.placements if p.box is not None)

    @property
    def pool(self) -> int:
        """Return the size of the talent pool."""
        return sum(1 for p in self.placements if p.in_pool)

    def by_box(self) -> dict[int | None, int]:
        """Return the number of employees per box (None: not mapped)."""
        out: dict[int | None, int] = {}
        for p in self.placements:
            out[p.box] = out.get(p.box, 0) + 1
        return out


def target_level(pack: Pack, level: PositionLevel | None) -> PositionLevel:
    """Return the level the pack measures someone holding ``level`` against.

    The lowest promotion target the pack decides above the employee's talent level; someone at
    or above the highest target is measured against it; someone without a position against the
    lowest.
    """
    decided: list[PositionLevel] = [lvl for lvl in PROMOTION_TARGETS if lvl in pack.levels]
    if not decided:
        decided = sorted(pack.levels, key=lambda lvl: lvl.talent_level)
    if level is None:
        return decided[0]
    for candidate in decided:
        if candidate.talent_level > level.talent_level:
            return candidate
    return decided[-1]


def place(pack: Pack, reference_date: dt.date, subjects: Sequence[Subject]) -> list[Placement]:
    """Return the placement of each subject, in input order."""
    return [placement for placement, _ in _place(pack, reference_date, subjects)]


def _place(
    pack: Pack, reference_date: dt.date, subjects: Sequence[Subject]
) -> list[tuple[Placement, bytes]]:
    """Return each subject's placement with its snapshot entry, in input order.

    The profile's canonical JSON is written once and serves both its digest and the snapshot
    (writing it twice per employee was the largest single cost of a run).
    """
    contexts: dict[PositionLevel, VacancyContext] = {}
    targets: dict[PositionLevel | None, PositionLevel] = {}
    out = []
    for profile, level, unit in subjects:
        target = targets.get(level)
        if target is None:
            target = targets[level] = target_level(pack, level)
        context = contexts.get(target)
        if context is None:
            context = contexts[target] = VacancyContext(target, reference_date)
        settings = pack.settings(target)
        m = measure(profile, context, settings)
        canonical = profile.canonical_json()
        level_value = level.value if level is not None else None
        out.append(
            (
                Placement(
                    profile.nip,
                    level_value,
                    unit,
                    target.value,
                    m.performance_axis,
                    m.potential_axis,
                    m.box,
                    m.box is not None and m.box in settings.talent_pool_boxes,
                    hashlib.sha256(canonical).hexdigest(),
                ),
                _snapshot_entry(level_value, canonical, unit),
            )
        )
    return out


def _snapshot_entry(level: str | None, canonical: bytes, unit: str | None) -> bytes:
    """Return one subject of the snapshot: ``{"level", "profile", "unit"}`` in RFC 8785 form."""
    return b"".join(
        (
            b'{"level":',
            _literal(level),
            b',"profile":',
            canonical,
            b',"unit":',
            _literal(unit),
            b"}",
        )
    )


def _literal(text: str | None) -> bytes:
    """Return a JSON string or null, escaped as ``json.dumps(ensure_ascii=False)`` does."""
    return b"null" if text is None else _quote(text).encode()


_quote = json.encoder.encode_basestring


def map_talent(
    pack: Pack,
    reference_date: dt.date,
    subjects: Sequence[Subject],
    *,
    processes: int = 1,
) -> TalentMap:
    """Place every subject on the 9-box with ``pack`` and digest input and result.

    :raises PackNotEffective: the reference date is outside the pack's effective period.
    :raises ProfileInvalid: two subjects share a NIP.
    """
    pack.check_effective(reference_date)
    _refuse_duplicates(subjects)
    with _collector_paused():
        if processes > 1 and len(subjects) > CHUNK:
            pairs = _fan_out(pack, reference_date, subjects, processes)
        else:
            pairs = _place(pack, reference_date, subjects)
        pairs.sort(key=lambda pair: pair[0].nip)
        placements = [placement for placement, _ in pairs]
        snapshot = _snapshot(reference_date, [entry for _, entry in pairs])
        del pairs
        input_digest = _input_digest(pack, reference_date, placements)
        result_digest = _result_digest(pack, input_digest, placements)
    return TalentMap(
        pack_digest=pack.digest,
        reference_date=reference_date,
        placements=tuple(placements),
        input_digest=input_digest,
        result_digest=result_digest,
        snapshot=snapshot,
    )


def _snapshot(reference_date: dt.date, entries: Sequence[bytes]) -> bytes:
    head = f'{{"reference_date":"{reference_date.isoformat()}","subjects":['.encode()
    return b"".join((head, b",".join(entries), b"]}"))


def snapshot_json(reference_date: dt.date, subjects: Iterable[Subject]) -> bytes:
    """Return a run's input as JSON text, to store it and replay it later.

    ``{"reference_date", "subjects": [{"level", "profile", "unit"}, …] sorted by NIP}``, each
    profile in its canonical JSON (written directly: it is the costly part of storing a run).
    """
    entries = [
        _snapshot_entry(
            s.level.value if s.level is not None else None, s.profile.canonical_json(), s.unit
        )
        for s in sorted(subjects, key=lambda s: s.profile.nip)
    ]
    return _snapshot(reference_date, entries)


def from_snapshot(data: Any) -> tuple[dt.date, list[Subject]]:
    """Return the reference date and subjects of a stored snapshot.

    :raises ProfileInvalid: a stored profile or level does not read back.
    """
    reference = dt.date.fromisoformat(data["reference_date"])
    subjects = []
    for i, item in enumerate(data["subjects"]):
        where = f"snapshot.subjects[{i}]"
        raw_level = item.get("level")
        try:
            level = PositionLevel(raw_level) if raw_level is not None else None
        except ValueError:
            raise ProfileInvalid(
                "a stored talent-map subject has an unknown level",
                [Problem(f"unknown level {raw_level!r}", where, field="level")],
            ) from None
        profile = CandidateProfile.from_json(item["profile"], where=f"{where}.profile")
        subjects.append(Subject(profile, level, item.get("unit")))
    return reference, subjects


def _dumps(data: object) -> str:
    # RFC 8785 for strings, integers, booleans, null and ASCII keys (as rules.screening does)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _input_digest(pack: Pack, reference_date: dt.date, placements: Sequence[Placement]) -> str:
    subjects = [[p.nip, p.profile_digest, p.level, p.unit] for p in placements]
    document = {
        "pack_digest": pack.digest,
        "reference_date": reference_date.isoformat(),
        "subjects": subjects,
    }
    return hashlib.sha256(_dumps(document).encode()).hexdigest()


def _result_digest(pack: Pack, input_digest: str, placements: Sequence[Placement]) -> str:
    rows = [
        [p.nip, p.box, p.performance_axis, p.potential_axis, p.target, p.in_pool]
        for p in placements
    ]
    document = {"input_digest": input_digest, "pack_digest": pack.digest, "placements": rows}
    return hashlib.sha256(_dumps(document).encode()).hexdigest()


def _refuse_duplicates(subjects: Sequence[Subject]) -> None:
    seen: set[str] = set()
    problems = []
    for i, subject in enumerate(subjects):
        if subject.profile.nip in seen:
            problems.append(Problem("NIP appears twice", f"subjects[{i}]", field="nip"))
        seen.add(subject.profile.nip)
    if problems:
        raise ProfileInvalid("the talent map repeats a NIP", problems)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic collector: a map creates no cycles, but enough objects to trigger it."""
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


_job: dict[str, Any] = {}
"""The map a forked worker inherited (set in the worker only, by :func:`_adopt`)."""


def _adopt(pack: Pack, reference_date: dt.date, subjects: Sequence[Subject]) -> None:
    _job.update(pack=pack, reference_date=reference_date, subjects=subjects)


def _worker(bounds: tuple[int, int]) -> list[tuple[Placement, bytes]]:
    start, stop = bounds
    return _place(_job["pack"], _job["reference_date"], _job["subjects"][start:stop])


def _fan_out(
    pack: Pack, reference_date: dt.date, subjects: Sequence[Subject], processes: int
) -> list[tuple[Placement, bytes]]:
    for level in pack.levels:  # resolve the settings once, so every worker inherits them
        pack.settings(level)
    step = max(500, min(CHUNK, len(subjects) // (4 * processes)))
    bounds = [(s, min(s + step, len(subjects))) for s in range(0, len(subjects), step)]
    out: list[tuple[Placement, bytes]] = []
    with ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt,
        initargs=(pack, reference_date, subjects),
    ) as executor:
        for chunk in executor.map(_worker, bounds):
            out.extend(chunk)
    return out
