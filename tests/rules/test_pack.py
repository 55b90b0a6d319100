"""Packs are validated with named problems; overlays may only tighten; digests are stable."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from rules.errors import PackInvalid
from rules.explain import explain
from rules.pack import Pack, load_pack, pack_from_canonical, pack_from_document, read_yaml
from tests.support.rules import candidate, vacancy

PACKS = Path(__file__).resolve().parents[2] / "rules" / "packs"


@pytest.fixture
def document() -> dict[str, Any]:
    """A fresh copy of the bkn-national document."""
    data: dict[str, Any] = read_yaml(PACKS / "bkn-national" / "pack.yaml")
    return copy.deepcopy(data)


@pytest.fixture
def overlay() -> dict[str, Any]:
    """A fresh copy of the kota-serang overlay document."""
    data: dict[str, Any] = read_yaml(PACKS / "kota-serang" / "pack.yaml")
    return copy.deepcopy(data)


def problems_of(data: Any, parent: Pack | None = None) -> list[str]:
    with pytest.raises(PackInvalid) as caught:
        pack_from_document(data, file="test.yaml", parent=parent)
    assert all(p.file == "test.yaml" for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


def criterion(data: dict[str, Any], cid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["criteria"] if c["id"] == cid)
    return found


def test_the_shipped_packs_load_with_stable_digests(packs: dict[str, Pack]) -> None:
    national = packs["bkn-national"]
    again = load_pack(PACKS / "bkn-national")
    assert again.digest == national.digest
    assert len(national.digest) == 64
    overlay = packs["kota-serang"]
    assert overlay.parent is not None
    assert overlay.parent.digest == national.digest
    assert overlay.digest != national.digest


def test_the_canonical_form_round_trips_and_detects_tampering(packs: dict[str, Pack]) -> None:
    for pack in packs.values():
        stored = pack_from_canonical(pack.canonical_json)
        assert stored.digest == pack.digest
        assert [c.id for c in stored.criteria] == [c.id for c in pack.criteria]
    original = packs["bkn-national"]
    reformatted = original.canonical_json.replace(b'"version":"2026.1.0"', b'"version": "2026.1.0"')
    with pytest.raises(PackInvalid, match="not in canonical form"):
        pack_from_canonical(reformatted)
    tampered = pack_from_canonical(original.canonical_json.replace(b'"III/d"', b'"III/c"'))
    assert tampered.digest != original.digest


def test_formatting_does_not_change_the_digest(document: dict[str, Any], national: Pack) -> None:
    criterion(document, "education.minimum")["condition"]["value"] = {"param": "min_education"}
    document["parameters"]["min_education"]["per_level"]["administrator"] = "D-IV"
    assert pack_from_document(document, file="x", parent=None).digest == national.digest


def test_a_changed_threshold_changes_the_digest(document: dict[str, Any], national: Pack) -> None:
    document["parameters"]["max_age"]["per_level"]["jpt_pratama"] = 55
    assert pack_from_document(document, file="x", parent=None).digest != national.digest


def test_schema_type_and_id_problems_are_named(document: dict[str, Any]) -> None:
    criterion(document, "rank.minimum")["condition"] = {"fact": "rank", "op": ">=", "value": 12}
    criterion(document, "age.maximum")["condition"]["fact"] = "umur"
    document["criteria"].append(copy.deepcopy(criterion(document, "employment.pns")))
    criterion(document, "education.field")["hard"] = "yes"
    document["parameters"]["max_age"]["type"] = "age"
    del document["parameters"]["performance_window_years"]
    found = problems_of(document)
    expected = [
        "criterion rank.minimum, field condition.value: rank holds a rank",
        "criterion age.maximum, field condition.fact: unknown fact field 'umur'",
        "criterion employment.pns, field id: duplicate criterion id",
        "criterion education.field, field hard:",
        "field parameters.max_age.type: unknown type 'age'",
        "field parameters.performance_window_years: required parameter",
    ]
    for text in expected:
        assert any(text in p for p in found), (text, found)


def test_unreachable_criteria_are_refused(document: dict[str, Any]) -> None:
    criterion(document, "rank.band")["applies_to"] = []
    criterion(document, "rank.minimum")["condition"] = {
        "all": [
            {"fact": "rank", "op": ">=", "value": "IV/a"},
            {"fact": "rank", "op": "<", "value": "III/d"},
        ]
    }
    criterion(document, "age.maximum")["condition"] = {"fact": "age_years", "op": ">=", "value": 0}
    found = problems_of(document)
    assert any("rank.band, field applies_to: applies to no level" in p for p in found)
    assert any("rank.minimum, field condition: can never pass at pengawas" in p for p in found)
    assert any("age.maximum, field condition: can never fail at jpt_pratama" in p for p in found)


def test_a_parameter_missing_for_a_level_is_named(document: dict[str, Any]) -> None:
    criterion(document, "age.maximum")["applies_to"] = ["administrator", "jpt_pratama"]
    found = problems_of(document)
    assert any("max_age has no value for administrator" in p for p in found)


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text("id: a\nid: b\n", encoding="utf-8")
    with pytest.raises(PackInvalid, match="duplicate key 'id'"):
        load_pack(tmp_path)


def test_a_fan_out_that_would_hang_durable_rules_is_refused_statically(
    document: dict[str, Any],
) -> None:
    template = criterion(document, "experience.cumulative")
    document["criteria"] = [
        {**copy.deepcopy(template), "id": f"experience.at_least_{i}",
         "condition": {"fact": "experience_months", "op": ">=", "value": i}}
        for i in range(1, 601)
    ]  # fmt: skip
    found = problems_of(document)
    assert any("distinct conditions under one network node (fan-out)" in p for p in found)


def test_the_kemenkeu_numbering_is_a_table_in_the_pack(document: dict[str, Any]) -> None:
    document["id"] = "kemenkeu-example"
    document["derived"]["nine_box"] = {
        "di_bawah": {"rendah": 1, "menengah": 2, "tinggi": 3},
        "sesuai": {"rendah": 4, "menengah": 6, "tinggi": 7},
        "di_atas": {"rendah": 5, "menengah": 8, "tinggi": 9},
    }
    kemenkeu = pack_from_document(document, file="kemenkeu.yaml", parent=None)
    low_performer = candidate(performance=[
        {"year": 2024, "predicate": "Baik"}, {"year": 2025, "predicate": "Butuh Perbaikan"},
    ])  # fmt: skip
    national = load_pack(PACKS / "bkn-national")
    assert explain(national, vacancy(), low_performer).measures.box == 6
    assert explain(kemenkeu, vacancy(), low_performer).measures.box == 3
    document["derived"]["nine_box"]["di_atas"]["tinggi"] = 3
    assert any("number the nine boxes 1 to 9, each once" in p for p in problems_of(document))


# ---------------------------------------------------------------- overlays


def test_the_overlay_adds_a_criterion_and_tightens_a_parameter(packs: dict[str, Pack]) -> None:
    overlay, national = packs["kota-serang"], packs["bkn-national"]
    assert [c.id for c in overlay.criteria][:-1] == [c.id for c in national.criteria]
    assert overlay.criterion("serang.jpm.minimum").origin == "kota-serang"
    assert overlay.criterion("rank.minimum").origin == "bkn-national"
    lookback = overlay.params["penalty_lookback_months"]
    assert lookback.value_for(vacancy().level) == 24
    assert lookback.value_for(vacancy("pengawas").level) == 12


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"parameters": {"min_rank": {"per_level": {"administrator": "III/c"}}}},
            "criterion rank.minimum, field parameters.min_rank: loosens parameter min_rank for "
            "administrator: III/d → III/c",
        ),
        (
            {"parameters": {"max_age": {"per_level": {"jpt_madya": 60}}}},
            "loosens parameter max_age for jpt_madya: 58 → 60",
        ),
        (
            {"parameters": {"talent_pool_boxes": {"value": [6, 7, 8, 9]}}},
            "loosens parameter talent_pool_boxes",
        ),
        (
            {"criteria": [{"id": "performance.window", "hard": False}]},
            "criterion performance.window, field hard: loosens parent criterion performance.window",
        ),
        (
            {"criteria": [{"id": "age.maximum", "applies_to": ["jpt_madya"]}]},
            "loosens parent criterion age.maximum: it may not stop applying to jpt_pratama",
        ),
        (
            {
                "criteria": [
                    {
                        "id": "rank.minimum",
                        "condition": {"fact": "rank", "op": ">=", "value": "I/a"},
                    }
                ]
            },
            "criterion rank.minimum, field condition: an overlay may not rewrite parent criterion",
        ),
        ({"derived": {}}, "field derived: an overlay inherits derived from its parent"),
        ({"parameters": {"max_age": {"type": "months"}}}, "may not change a parameter's type"),
    ],
)
def test_a_loosening_overlay_is_refused_naming_what_it_loosens(
    overlay: dict[str, Any], national: Pack, change: dict[str, Any], expected: str
) -> None:
    for key, value in change.items():
        if key == "parameters":
            overlay["parameters"].update(value)
        elif key == "criteria":
            overlay["criteria"].extend(value)
        else:
            overlay[key] = value
    found = problems_of(overlay, parent=national)
    assert any(expected in p for p in found), found


def test_tightening_amendments_are_accepted(overlay: dict[str, Any], national: Pack) -> None:
    overlay["criteria"].append({"id": "training.leadership", "hard": True})
    overlay["criteria"].append({"id": "age.maximum", "applies_to": ["jpt_pratama", "jpt_madya"]})
    overlay["parameters"]["talent_pool_boxes"] = {"value": [8, 9]}
    pack = pack_from_document(overlay, file="x", parent=national)
    assert pack.criterion("training.leadership").hard is True
    assert pack.params["talent_pool_boxes"].value_for(vacancy().level) == (8, 9)


def test_an_overlay_for_another_parent_version_is_refused(
    overlay: dict[str, Any], national: Pack
) -> None:
    overlay["parent"]["version"] = "2025.1.0"
    assert any("written for bkn-national 2025.1.0" in p for p in problems_of(overlay, national))
