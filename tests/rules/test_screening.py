"""Screening ranks a pool, digests input and result, and gives the same answer on N processes."""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import io
import json

import pytest
import rfc8785

from bench.pool import REFERENCE_DATE, pool
from rules import assembly
from rules.assembly import canonical
from rules.errors import ProfileInvalid
from rules.pack import Pack
from rules.profile import VacancyContext, profiles_from_json
from rules.screening import ScreeningResult, screen
from rules.vocab import PositionLevel

CONTEXT = VacancyContext(PositionLevel.ADMINISTRATOR, REFERENCE_DATE, "ADM-01", "Kepala Bagian")


@pytest.fixture(scope="module")
def profiles() -> list:  # type: ignore[type-arg]
    """A realistic generated pool, large enough for three worker chunks."""
    return pool(4500, seed=7)


@pytest.fixture(scope="module")
def result(profiles: list, packs: dict[str, Pack]) -> ScreeningResult:  # type: ignore[type-arg]
    return screen(packs["bkn-national"], CONTEXT, profiles)


def test_the_ranking_puts_the_shortlist_first(result: ScreeningResult) -> None:
    statuses = [d.status for d in result.decisions]
    assert set(statuses) == {"eligible", "needs_data", "ineligible"}
    first_other = statuses.index("needs_data")
    assert set(statuses[:first_other]) == {"eligible"}
    assert result.shortlist == result.decisions[:first_other]
    keys = [d.sort_key for d in result.decisions]
    assert keys == sorted(keys)
    assert len({d.nip for d in result.decisions}) == len(result.decisions)


def test_two_processes_give_the_same_result(
    result: ScreeningResult,
    profiles: list,
    packs: dict[str, Pack],  # type: ignore[type-arg]
) -> None:
    parallel = screen(packs["bkn-national"], CONTEXT, profiles, processes=2)
    assert parallel.decisions == result.decisions
    assert parallel.input_digest == result.input_digest
    assert parallel.result_digest == result.result_digest


def test_engine_and_reference_reach_the_same_result_digest(
    result: ScreeningResult,
    profiles: list,
    packs: dict[str, Pack],  # type: ignore[type-arg]
) -> None:
    reference = screen(packs["bkn-national"], CONTEXT, profiles, evaluator="reference")
    assert reference.result_digest == result.result_digest
    assert reference.engine_version == "reference"
    assert result.engine_version == "durable_rules 2.0.28"


def test_the_input_digest_ignores_order_but_not_content(
    result: ScreeningResult,
    profiles: list,
    packs: dict[str, Pack],  # type: ignore[type-arg]
) -> None:
    pack = packs["bkn-national"]
    subset = profiles[:300]
    forward = screen(pack, CONTEXT, subset)
    backward = screen(pack, CONTEXT, list(reversed(subset)))
    assert forward.input_digest == backward.input_digest
    assert forward.result_digest == backward.result_digest
    changed = [dataclasses.replace(subset[0], lhkpn_year=2019), *subset[1:]]
    assert screen(pack, CONTEXT, changed).input_digest != forward.input_digest
    assert screen(packs["kota-serang"], CONTEXT, subset).input_digest != forward.input_digest


def test_explanations_agree_with_the_decisions(result: ScreeningResult) -> None:
    for position in (0, len(result.decisions) // 2, len(result.decisions) - 1):
        decision = result.decisions[position]
        explained = result.explanation(position)
        assert explained.status == decision.status
        assert explained.rank == position + 1
        assert explained.profile.nip == decision.nip
        assert explained.measures.box == decision.box


def test_a_repeated_nip_is_refused(profiles: list, packs: dict[str, Pack]) -> None:  # type: ignore[type-arg]
    with pytest.raises(ProfileInvalid, match="repeats a NIP"):
        screen(packs["bkn-national"], CONTEXT, [profiles[0], profiles[1], profiles[0]])


def test_the_digests_follow_their_documented_rfc_8785_definitions(
    profiles: list,  # type: ignore[type-arg]
    packs: dict[str, Pack],
) -> None:
    pack = packs["bkn-national"]
    pool_ = profiles[:300]
    result = screen(pack, CONTEXT, pool_)

    def sha(document: object) -> str:
        return hashlib.sha256(rfc8785.dumps(document)).hexdigest()

    snapshot = {
        "candidates": sorted([p.nip, sha(p.to_json())] for p in pool_),
        "pack_digest": pack.digest,
        "reference_date": CONTEXT.reference_date.isoformat(),
        "vacancy": CONTEXT.to_json(),
    }
    assert result.input_digest == sha(snapshot)
    ranking = []
    for d in result.decisions:
        decision = {
            "box": d.box,
            "codes": d.codes.hex(),
            "jpm": d.jpm,
            "nip": d.nip,
            "performance_score": d.performance_score,
            "readiness": d.readiness,
            "status": d.status,
            "succession_score": d.succession_score,
        }
        assert d.decision_digest == sha(decision)
        ranking.append([d.nip, sha(decision)])
    document = {
        "criteria": [c.id for c in pack.compiled(CONTEXT.level).criteria],
        "input_digest": result.input_digest,
        "pack_digest": pack.digest,
        "ranking": ranking,
    }
    assert result.result_digest == sha(document)
    assert canonical(document).encode() == rfc8785.dumps(document)


def test_the_input_snapshot_replays_to_the_same_digests(
    profiles: list,
    packs: dict[str, Pack],  # type: ignore[type-arg]
) -> None:
    pack = packs["bkn-national"]
    original = screen(pack, CONTEXT, profiles[:400])
    text = io.StringIO()
    original.write_snapshot(text.write)
    snapshot = json.loads(text.getvalue())
    assert snapshot == {
        "vacancy": CONTEXT.to_json(),
        "profiles": [p.to_json() for p in sorted(profiles[:400], key=lambda p: p.nip)],
    }
    replayed = screen(
        pack,
        VacancyContext.from_json(snapshot["vacancy"]),
        profiles_from_json(snapshot["profiles"]),
    )
    assert replayed.input_digest == original.input_digest
    assert replayed.result_digest == original.result_digest


def test_shards_merged_as_streams_with_the_union_of_narrowed_lists_equal_a_narrowed_screen(
    profiles: list,  # type: ignore[type-arg]
    packs: dict[str, Pack],
) -> None:
    """Shards evaluated apart and merged as streams (candidates by NIP, decisions in rank
    order, narrowed-out by NIP) give the digests and the result document of
    ``screen(..., narrowed=...)`` over the whole pool; without the list the digest differs."""
    from rules.screening import decide_shard, sort_key

    pack = packs["bkn-national"]
    narrowed = sorted([("199901012024011001", "C-EDU"), ("198001012005011002", "C-RANK")])
    whole = screen(pack, CONTEXT, profiles, narrowed=narrowed)
    half = len(profiles) // 2
    runs = [decide_shard(pack, CONTEXT, part) for part in (profiles[:half], profiles[half:])]
    by_nip = heapq.merge(*(sorted((d.nip, d.profile_digest) for d in run) for run in runs))
    input_digest = assembly.input_digest(
        pack, CONTEXT, assembly.pairs(by_nip), assembly.pairs(narrowed)
    )
    text = io.StringIO()
    result_digest = assembly.write_result(
        text.write,
        pack,
        CONTEXT,
        engine=whole.engine_version,
        input_digest=input_digest,
        ranked=heapq.merge(*runs, key=sort_key),
        narrowed=assembly.pairs(narrowed),
    )
    assert (input_digest, result_digest) == (whole.input_digest, whole.result_digest)
    assert json.loads(text.getvalue()) == whole.summary()
    assert whole.summary()["result_digest"] == whole.result_digest
    unnarrowed = assembly.write_result(
        None,
        pack,
        CONTEXT,
        engine="",
        input_digest=input_digest,
        ranked=heapq.merge(*runs, key=sort_key),
    )
    assert unnarrowed != whole.result_digest
