"""The converter builds one flat, typed fact per candidate; the checker refuses anything else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rules.derive import measure
from rules.errors import FactInvalid
from rules.facts import FIELDS, MAX_PROPERTIES, build_fact, check_fact
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from tests.support.rules import candidate, vacancy


def fact_of(pack: Pack, profile: CandidateProfile, context: VacancyContext) -> dict[str, object]:
    settings = pack.settings(context.level)
    return build_fact(profile, context, settings, measure(profile, context, settings))


def test_a_complete_profile_gives_typed_fields_and_no_none(national: Pack) -> None:
    fact = fact_of(national, candidate(), vacancy())
    check_fact(fact)
    assert fact["rank"] == 13
    assert fact["education"] == 7
    assert fact["age_years"] == 45
    assert fact["prior_position_months"] == 61
    assert fact["experience_months"] == 254
    assert fact["leadership_training"] == 2
    assert fact["leadership_training_date"] == dt.date(2024, 9, 1).toordinal()
    assert fact["performance_min"] == 5
    assert fact["jpm"] == 9150
    assert fact["box"] == 9
    assert fact["penalty_active"] == fact["penalty_recent"] == 0
    assert fact["lhkpn_lag_years"] == 1
    assert fact["health_certificate_months"] == 1
    assert None not in fact.values()
    assert not any(isinstance(v, float) for v in fact.values())


def test_unknown_data_is_an_absent_field(national: Pack) -> None:
    profile = candidate(
        rank=None, rank_tmt=None, assessments=[], health_certificate_date=None, lhkpn_year=None,
        positions=[], performance=[{"year": 2025, "predicate": "Baik"}],
    )  # fmt: skip
    fact = fact_of(national, profile, vacancy())
    for name in (
        "rank", "rank_months", "jpm", "potential", "box", "competency_gap_count",
        "health_certificate_months", "lhkpn_lag_years", "prior_position_months",
        "experience_months", "current_level", "performance_min",
    ):  # fmt: skip
        assert name not in fact, name
    assert fact["performance_rated_years"] == 1
    assert fact["penalty_active"] == 0


def test_a_penalty_ending_the_day_before_is_past_and_recent(national: Pack) -> None:
    penalty = {"level": "sedang", "type": "potongan_tukin_6_bulan", "start_date": "2025-09-01"}
    ended = fact_of(
        national, candidate(penalties=[{**penalty, "end_date": "2026-02-28"}]), vacancy()
    )
    assert (ended["penalty_active"], ended["penalty_recent"]) == (0, 2)
    today = fact_of(
        national, candidate(penalties=[{**penalty, "end_date": "2026-03-01"}]), vacancy()
    )
    assert (today["penalty_active"], today["penalty_recent"]) == (2, 0)
    earlier = {**penalty, "start_date": "2024-09-01", "end_date": "2025-02-28"}
    old = fact_of(national, candidate(penalties=[earlier]), vacancy())
    assert (old["penalty_active"], old["penalty_recent"]) == (0, 0)


def test_jpt_look_back_is_ever(national: Pack) -> None:
    penalty = {"level": "berat", "type": "penurunan_jabatan_12_bulan"}
    profile = candidate(
        penalties=[{**penalty, "start_date": "2001-01-01", "end_date": "2001-12-31"}]
    )
    assert fact_of(national, profile, vacancy("jpt_pratama"))["penalty_recent"] == 3
    assert fact_of(national, profile, vacancy("administrator"))["penalty_recent"] == 0


def test_prior_position_periods_merge_and_count_equivalent_jf(national: Pack) -> None:
    positions = [
        {"level": "jf_ahli_muda", "title": "A", "start_date": "2024-03-01"},
        {"level": "pengawas", "title": "B", "start_date": "2023-03-01", "end_date": "2024-02-29"},
        {"level": "pelaksana", "title": "C", "start_date": "2010-01-01", "end_date": "2023-02-28"},
    ]
    fact = fact_of(national, candidate(positions=positions), vacancy())
    assert fact["prior_position_months"] == 36
    assert fact["current_level"] == "jf_ahli_muda"
    assert fact["service_months"] == fact["experience_months"] == 194


def test_future_records_are_ignored(national: Pack) -> None:
    profile = candidate(
        trainings=[{"kind": "PKN II", "completed_on": "2026-03-02"}],
        health_certificate_date="2026-03-02",
    )
    fact = fact_of(national, profile, vacancy())
    assert fact["leadership_training"] == 0
    assert "health_certificate_months" not in fact


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"rank": None}, "None is not a value"),
        ({"jpm": 80.5}, "floats are not fact values"),
        ({"jpm": Decimal("80.5")}, "Decimal is not a fact value"),
        ({"leadership_training_date": dt.date(2024, 1, 1)}, "date is not a fact value"),
        ({"age_years": "10"}, "'10' is not a years value"),
        ({"rank": 18}, "18 is not a rank value"),
        ({"employment_type": "CPNS"}, "'CPNS' is not a employment_type value"),
        ({"disciplinary_case_pending": 0}, "0 is not a bool value"),
        ({"colour": "blue"}, "unknown fact field"),
    ],
)
def test_the_checker_refuses_what_the_engine_would_misread(
    fact: dict[str, object], message: str
) -> None:
    with pytest.raises(FactInvalid) as caught:
        check_fact(fact)
    assert message in str(caught.value)


def test_the_checker_refuses_too_many_properties() -> None:
    fact = {f"f{i}": i for i in range(MAX_PROPERTIES)}
    with pytest.raises(FactInvalid, match="properties; the engine accepts at most"):
        check_fact(fact)


def test_every_field_is_documented_with_a_type() -> None:
    for spec in FIELDS.values():
        assert spec.meaning.endswith(".")
        assert spec.type.name


def test_the_documentation_lists_every_field_with_its_type() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for spec in FIELDS.values():
        assert f"| `{spec.name}` | {spec.type.name} | {spec.meaning} |" in docs, spec.name
