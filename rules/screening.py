"""Screening: evaluate a candidate pool for one vacancy, rank it and digest input and result.

:func:`screen` is pure: given a pack, a vacancy and profiles it returns every candidate's
decision in rank order (the shortlist is the eligible prefix), a digest of the input snapshot and
a digest of the result, so the decision can be stored and replayed later. Full explanations are
rendered on demand from the same inputs (:meth:`ScreeningResult.explanation`), which keeps a
100,000-candidate screening small in memory.

Large pools fan out across processes (the engine holds the GIL): forked workers read the
profiles they inherit, build their own engine host, and return compact decisions; the result is
identical, digest for digest, whatever the number of processes.

Digests (``docs/rules.md`` documents both):

* input: SHA-256 of the RFC 8785 JSON ``{"candidates": [[nip, sha256(profile JSON)], …] sorted
  by NIP, "pack_digest", "reference_date", "vacancy"}``;
* result: SHA-256 of ``{"criteria": [ids evaluated], "input_digest", "pack_digest", "ranking":
  [[nip, sha256(decision JSON)], …] in rank order}``, where a decision is ``{"box", "codes",
  "jpm", "nip", "performance_score", "readiness", "status", "succession_score"}``. The evaluator is
  recorded beside it but not digested, so the engine and the reference evaluator can be compared
  by digest.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import multiprocessing
import operator
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from rules import assembly
from rules.derive import measure
from rules.engine import ENGINE_VERSION
from rules.errors import Problem, ProfileInvalid
from rules.explain import Evaluator, Explanation, evaluate_codes, explain, status_of
from rules.facts import build_fact
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.ranking import SortKey, group_first, key_function, readiness_index

BLOCK: int = 1024
"""Candidates whose facts are built and evaluated together (bounds the facts held in memory)."""
CHUNK: int = 2000
"""Pools up to this size are screened in the calling process; larger ones are split into tasks of
about ``size / (8 × processes)`` candidates (at least 500, at most :data:`CHUNK`)."""


class Decision(NamedTuple):
    """The compact outcome of one candidate (everything the ranking and the digests need)."""

    nip: str
    input_index: int
    """Position of the candidate in the input."""
    status: str
    codes: bytes
    """Outcome code per compiled criterion: 0 pass, 1 fail, 2 missing data."""
    box: int | None
    jpm: int | None
    performance_score: int | None
    succession_score: int | None
    readiness: int
    """Index of the readiness rule met (-1: the pack's ``otherwise`` label)."""
    sort_key: SortKey
    profile_digest: str
    """SHA-256 (hex) of the candidate's canonical profile JSON."""
    decision_digest: str
    """SHA-256 (hex) of the canonical decision JSON (:func:`decision_json`)."""


@dataclass(frozen=True)
class ScreeningResult:
    """The ranked outcome of screening a pool for one vacancy."""

    pack: Pack
    context: VacancyContext
    profiles: Sequence[CandidateProfile]
    decisions: tuple[Decision, ...]
    """Every candidate, in rank order: eligible, then needs_data, then ineligible."""
    evaluator: str
    input_digest: str
    result_digest: str
    narrowed: tuple[tuple[str, str], ...] = ()
    """(NIP, criterion id) of the candidates a narrowing left out, by NIP: ineligible by that hard
    criterion, never evaluated here (``decisions`` holds the others)."""

    @property
    def candidates(self) -> int:
        """Return the size of the pool: evaluated and narrowed-out candidates."""
        return len(self.decisions) + len(self.narrowed)

    @property
    def engine_version(self) -> str:
        """Return what evaluated the criteria (the engine and its version, or ``reference``)."""
        return ENGINE_VERSION if self.evaluator == "engine" else "reference"

    @property
    def shortlist(self) -> tuple[Decision, ...]:
        """Return the eligible candidates, best first."""
        return tuple(d for d in self.decisions if d.status == "eligible")

    def explanation(self, position: int) -> Explanation:
        """Return the full explanation of the candidate at ``position`` (0 = ranked first)."""
        decision = self.decisions[position]
        return explain(
            self.pack,
            self.context,
            self.profiles[decision.input_index],
            evaluator=self.evaluator,  # type: ignore[arg-type]
            codes=decision.codes,
            rank=position + 1,
            pool_size=len(self.decisions),
        )

    def explanations(self) -> Iterator[Explanation]:
        """Yield every candidate's explanation in rank order."""
        for position in range(len(self.decisions)):
            yield self.explanation(position)

    def summary(self) -> dict[str, Any]:
        """Return the result document as JSON data: identities, digests, ranked decisions.

        Parsed from :func:`rules.assembly.write_result`'s text, the bytes a stored run keeps.
        """
        text = io.StringIO()
        self.write_summary(text.write)
        data: dict[str, Any] = json.loads(text.getvalue())
        return data

    def write_summary(self, write: assembly.Write) -> None:
        """Write the result document (:func:`rules.assembly.write_result`)."""
        assembly.write_result(
            write,
            self.pack,
            self.context,
            engine=self.engine_version,
            input_digest=self.input_digest,
            ranked=self.decisions,
            narrowed=assembly.pairs(self.narrowed),
        )

    def write_snapshot(self, write: assembly.Write) -> None:
        """Write the input snapshot (:func:`rules.assembly.write_snapshot`), profiles by NIP."""
        profiles = sorted(self.profiles, key=lambda p: p.nip)
        assembly.write_snapshot(write, self.context, (p.canonical_json() for p in profiles))


def profile_digest(profile: CandidateProfile) -> str:
    """Return the SHA-256 (hex) of a profile's canonical (RFC 8785) JSON."""
    return hashlib.sha256(profile.canonical_json()).hexdigest()


def decision_json(
    nip: str,
    status: str,
    codes: bytes,
    box: int | None,
    jpm: int | None,
    performance_score: int | None,
    readiness: int,
    succession_score: int | None,
) -> bytes:
    """Return the RFC 8785 JSON of one decision (written directly: it is computed per candidate).

    ``{"box", "codes", "jpm", "nip", "performance_score", "readiness", "status",
    "succession_score"}``; a test proves it equal to ``rfc8785.dumps`` of that object.
    """
    return (
        f'{{"box":{_int(box)},"codes":"{codes.hex()}","jpm":{_int(jpm)},"nip":{_q(nip)},'
        f'"performance_score":{_int(performance_score)},"readiness":{readiness},'
        f'"status":"{status}","succession_score":{_int(succession_score)}}}'
    ).encode()


_q = json.encoder.encode_basestring


def _int(value: int | None) -> str:
    return "null" if value is None else str(value)


def _decide(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    offset: int,
    evaluator: Evaluator,
    digests: Mapping[str, str] | None = None,
) -> list[Decision]:
    """Evaluate ``profiles`` (input positions from ``offset``) and return their decisions.

    Candidates go through in blocks, so the facts in memory never exceed one block.
    """
    out: list[Decision] = []
    for start in range(0, len(profiles), BLOCK):
        out.extend(
            _decide_block(
                pack, context, profiles[start : start + BLOCK], offset + start, evaluator, digests
            )
        )
    return out


def _decide_block(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    offset: int,
    evaluator: Evaluator,
    digests: Mapping[str, str] | None = None,
) -> list[Decision]:
    level = context.level
    settings = pack.settings(level)
    compiled = pack.compiled(level)
    first = group_first(pack.param_values(level), context.succession_group)
    order = key_function(pack.ranking.keys, first)
    rules = pack.ranking.readiness
    all_measures = [measure(p, context, settings) for p in profiles]
    facts = [
        build_fact(p, context, settings, m) for p, m in zip(profiles, all_measures, strict=True)
    ]
    codes_list = evaluate_codes(compiled, facts, evaluator)
    out = []
    for i, (profile, measures, fact, codes) in enumerate(
        zip(profiles, all_measures, facts, codes_list, strict=True)
    ):
        status, soft = status_of(compiled, codes)
        birth = profile.birth_date.toordinal() if profile.birth_date else None
        ready = readiness_index(rules, status, measures.box, soft)
        digest = hashlib.sha256(
            decision_json(
                profile.nip,
                status,
                codes,
                measures.box,
                measures.jpm,
                measures.performance_score,
                ready,
                measures.succession_score,
            )
        ).hexdigest()
        out.append(
            Decision(
                profile.nip,
                offset + i,
                status,
                codes,
                measures.box,
                measures.jpm,
                measures.performance_score,
                measures.succession_score,
                ready,
                order(status, fact, measures, profile.nip, birth),
                digests[profile.nip] if digests is not None else profile_digest(profile),
                digest,
            )
        )
    return out


sort_key = operator.itemgetter(Decision._fields.index("sort_key"))
"""The key that orders decisions in rank order (their ``sort_key``): merge sorted runs with it."""
_job: dict[str, Any] = {}
"""The screening of a forked worker: pack, context, profiles, evaluator (set in the worker only,
by :func:`_adopt_job`)."""


def _adopt_job(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    evaluator: Evaluator,
    digests: Mapping[str, str] | None = None,
) -> None:
    """Keep the screening this forked worker inherited (its arguments are not pickled)."""
    _job.update(pack=pack, context=context, profiles=profiles, evaluator=evaluator, digests=digests)


def _worker_chunk(bounds: tuple[int, int]) -> list[Decision]:
    start, stop = bounds
    decisions = _decide(
        _job["pack"],
        _job["context"],
        _job["profiles"][start:stop],
        start,
        _job["evaluator"],
        _job["digests"],
    )
    # sorted runs make the parent's final sort a cheap merge
    decisions.sort(key=sort_key)
    return decisions


def screen(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    *,
    processes: int = 1,
    evaluator: Evaluator = "engine",
    digests: Mapping[str, str] | None = None,
    narrowed: Sequence[tuple[str, str]] = (),
) -> ScreeningResult:
    """Screen ``profiles`` for the vacancy and return the ranked result with its digests.

    ``digests`` may give every profile's :func:`profile_digest` by NIP, computed once by a
    caller that screens the same profiles for many positions (a key position's successors):
    writing each profile's canonical JSON was a third of every screening.

    ``narrowed`` lists (NIP, criterion id) of candidates an indexed narrowing left out of
    ``profiles`` (ineligible by that hard criterion); both digests then commit to that list too
    (``"narrowed"`` key, absent without narrowing, so a full screening's digests are unchanged).

    :raises PackInvalid: the pack does not decide the vacancy's level.
    :raises PackNotEffective: the reference date is outside the pack's effective period.
    :raises ProfileInvalid: two profiles share a NIP.
    :raises EngineError: the engine failed.
    """
    pack.check_level(context.level)
    pack.check_effective(context.reference_date)
    _refuse_duplicates(profiles)
    left_out = tuple(sorted((nip, criterion) for nip, criterion in narrowed))
    with _collector_paused():
        if processes > 1 and len(profiles) > CHUNK:
            decisions = _fan_out(pack, context, profiles, processes, evaluator, digests)
        else:
            decisions = _decide(pack, context, profiles, 0, evaluator, digests)
        decisions.sort(key=sort_key)
        return _result(pack, context, profiles, decisions, evaluator, left_out)


def decide_shard(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    *,
    evaluator: Evaluator = "engine",
) -> list[Decision]:
    """Return the decisions of one shard of a pool, sorted in rank order.

    ``input_index`` counts from 0 within the shard; :func:`assemble` shifts it. Evaluating a pool
    shard by shard and assembling gives the result :func:`screen` gives for the whole pool.

    :raises PackInvalid: the pack does not decide the vacancy's level.
    :raises PackNotEffective: the reference date is outside the pack's effective period.
    :raises ProfileInvalid: two profiles share a NIP.
    """
    pack.check_level(context.level)
    pack.check_effective(context.reference_date)
    _refuse_duplicates(profiles)
    with _collector_paused():
        decisions = _decide(pack, context, profiles, 0, evaluator)
        decisions.sort(key=sort_key)
    return decisions


def _result(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    decisions: list[Decision],
    evaluator: Evaluator,
    left_out: tuple[tuple[str, str], ...] = (),
) -> ScreeningResult:
    """Return the result of ``decisions`` (in rank order) with its input and result digests;
    ``left_out`` is the narrowing's (NIP, criterion) list, sorted (both digests commit to it)."""
    input_digest = assembly.input_digest(
        pack,
        context,
        assembly.pairs(sorted((d.nip, d.profile_digest) for d in decisions)),
        assembly.pairs(left_out),
    )
    result_digest = assembly.write_result(
        None,
        pack,
        context,
        engine="",
        input_digest=input_digest,
        ranked=decisions,
        narrowed=assembly.pairs(left_out),
    )
    return ScreeningResult(
        pack=pack,
        context=context,
        profiles=profiles,
        decisions=tuple(decisions),
        evaluator=evaluator,
        input_digest=input_digest,
        result_digest=result_digest,
        narrowed=left_out,
    )


def decision_to_json(decision: Decision) -> list[Any]:
    """Return a decision as JSON data (a list), to store a shard's decisions between processes."""
    return [
        *decision[:3],
        decision.codes.hex(),
        *decision[4:9],
        list(decision.sort_key),
        decision.profile_digest,
        decision.decision_digest,
    ]


def decision_from_json(data: Sequence[Any]) -> Decision:
    """Return the decision :func:`decision_to_json` wrote."""
    return Decision(
        data[0],
        data[1],
        data[2],
        bytes.fromhex(data[3]),
        data[4],
        data[5],
        data[6],
        data[7],
        data[8],
        tuple(data[9]),
        data[10],
        data[11],
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (and freeze what exists) for a screening.

    A screening creates no reference cycles, but allocates enough to trigger collections that
    walk every object of a large pool again and again; in forked workers those walks would also
    copy every inherited page. The previous state is restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _fan_out(
    pack: Pack,
    context: VacancyContext,
    profiles: Sequence[CandidateProfile],
    processes: int,
    evaluator: Evaluator,
    digests: Mapping[str, str] | None = None,
) -> list[Decision]:
    # compile (and digest) once here so every forked worker inherits the cached rulesets
    pack.compiled(context.level)
    step = max(500, min(CHUNK, len(profiles) // (8 * processes)))
    bounds = [(s, min(s + step, len(profiles))) for s in range(0, len(profiles), step)]
    decisions: list[Decision] = []
    with ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt_job,
        initargs=(pack, context, profiles, evaluator, digests),
    ) as executor:
        for chunk in executor.map(_worker_chunk, bounds):
            decisions.extend(chunk)
    return decisions


def _refuse_duplicates(profiles: Sequence[CandidateProfile]) -> None:
    seen: set[str] = set()
    problems = []
    for i, profile in enumerate(profiles):
        if profile.nip in seen:
            problems.append(Problem("NIP appears twice in the pool", f"profiles[{i}]", field="nip"))
        seen.add(profile.nip)
    if problems:
        raise ProfileInvalid("the candidate pool repeats a NIP", problems)
