"""The talent map as a pure function: the pack's 9-box table, digests, sharding, replay."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rules.errors import PackNotEffective, ProfileInvalid
from rules.pack import Pack, load_shipped
from rules.talent import Subject, from_snapshot, map_talent, snapshot_json, target_level
from rules.vocab import PositionLevel
from tests.support.rules import REFERENCE, candidate


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_shipped()["bkn-national"]


def _subject(serial: int, **changes: object) -> Subject:
    profile = candidate(nip=f"19800315200501{2000 + serial:04d}", **changes)
    return Subject(profile, PositionLevel.PENGAWAS, "Biro Umum")


def _rated(predicate: str) -> list[dict[str, object]]:
    return [{"year": 2024, "predicate": "Baik"}, {"year": 2025, "predicate": predicate}]


def _assessed(potential: str) -> list[dict[str, object]]:
    return [{"assessed_on": "2025-08-01", "method": "assessment_center", "potential": potential}]


@pytest.mark.parametrize(
    ("predicate", "potential", "box"),
    [
        ("Sangat Baik", "tinggi", 9),
        ("Sangat Baik", "rendah", 4),
        ("Baik", "menengah", 5),
        ("Baik", "tinggi", 8),
        ("Kurang", "rendah", 1),
        ("Butuh Perbaikan", "tinggi", 6),
    ],
)
def test_each_employee_lands_in_the_packs_box(
    pack: Pack, predicate: str, potential: str, box: int
) -> None:
    subject = _subject(1, performance=_rated(predicate), assessments=_assessed(potential))
    result = map_talent(pack, REFERENCE, [subject])
    (placement,) = result.placements
    assert placement.box == box
    assert placement.in_pool is (box in {7, 8, 9})
    assert placement.target == "administrator"


def test_without_an_assessment_nobody_is_guessed_into_a_box(pack: Pack) -> None:
    result = map_talent(pack, REFERENCE, [_subject(1, assessments=[])])
    assert result.placements[0].box is None
    assert result.mapped == 0
    assert result.by_box() == {None: 1}


def test_the_same_data_in_any_order_gives_the_same_digests(pack: Pack) -> None:
    subjects = [_subject(i) for i in range(5)] + [_subject(9, assessments=[])]
    first = map_talent(pack, REFERENCE, subjects)
    second = map_talent(pack, REFERENCE, list(reversed(subjects)))
    assert (first.input_digest, first.result_digest) == (second.input_digest, second.result_digest)


def test_a_changed_profile_changes_both_digests(pack: Pack) -> None:
    before = map_talent(pack, REFERENCE, [_subject(1)])
    after = map_talent(pack, REFERENCE, [_subject(1, performance=_rated("Kurang"))])
    assert before.input_digest != after.input_digest
    assert before.result_digest != after.result_digest


def test_a_changed_unit_changes_the_input_digest_only_through_the_subject(pack: Pack) -> None:
    subject = _subject(1)
    moved = Subject(subject.profile, subject.level, "Biro Keuangan")
    a = map_talent(pack, REFERENCE, [subject])
    b = map_talent(pack, REFERENCE, [moved])
    assert a.input_digest != b.input_digest
    assert a.placements[0].box == b.placements[0].box


def test_two_processes_give_the_digest_of_one(pack: Pack) -> None:
    predicates = ("Sangat Baik", "Baik", "Kurang")
    subjects = [_subject(i, performance=_rated(predicates[i % 3])) for i in range(2600)]
    one = map_talent(pack, REFERENCE, subjects)
    two = map_talent(pack, REFERENCE, subjects, processes=2)
    assert two.result_digest == one.result_digest
    assert two.placements == one.placements


def test_the_snapshot_replays_bit_for_bit(pack: Pack) -> None:
    subjects = [_subject(i) for i in range(3)] + [
        Subject(candidate(nip="198003152005019999"), None, None)
    ]
    recorded = map_talent(pack, REFERENCE, subjects)
    reference, restored = from_snapshot(json.loads(snapshot_json(REFERENCE, subjects)))
    replayed = map_talent(pack, reference, restored)
    assert replayed.result_digest == recorded.result_digest
    assert replayed.input_digest == recorded.input_digest


def test_a_repeated_nip_is_refused(pack: Pack) -> None:
    with pytest.raises(ProfileInvalid) as caught:
        map_talent(pack, REFERENCE, [_subject(1), _subject(1)])
    assert caught.value.problems[0].file == "subjects[1]"


def test_a_date_outside_the_pack_is_refused(pack: Pack) -> None:
    with pytest.raises(PackNotEffective):
        map_talent(pack, dt.date(1990, 1, 1), [_subject(1)])


@pytest.mark.parametrize(
    ("level", "target"),
    [
        (None, "pengawas"),
        ("pelaksana", "pengawas"),
        ("jf_ahli_muda", "administrator"),
        ("administrator", "jpt_pratama"),
        ("jpt_pratama", "jpt_madya"),
        ("jpt_utama", "jpt_madya"),
    ],
)
def test_each_employee_is_measured_against_the_next_level(
    pack: Pack, level: str | None, target: str
) -> None:
    current = PositionLevel(level) if level else None
    assert target_level(pack, current).value == target
