"""Profiles are read from JSON with field-named errors and digested in canonical form."""

from __future__ import annotations

import datetime as dt
import string

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.errors import ProfileInvalid
from rules.profile import (
    AssessmentRecord,
    CandidateProfile,
    EducationRecord,
    PenaltyRecord,
    PositionRecord,
    VacancyContext,
    profiles_from_json,
    read_profile,
)
from rules.vocab import (
    AssessmentMethod,
    EducationLevel,
    EmploymentType,
    PenaltyType,
    PositionLevel,
    PotentialCategory,
)
from tests.support.rules import ADMINISTRATOR_CANDIDATE, candidate


def test_a_profile_round_trips_through_json() -> None:
    profile = candidate()
    assert CandidateProfile.from_json(profile.to_json()) == profile
    assert profile.assessments[0].jpm == 9150


def test_every_bad_field_is_named() -> None:
    data = dict(ADMINISTRATOR_CANDIDATE)
    data.update(
        nip="12345",
        rank="III/f",
        birth_date="1980-02-30",
        colour="blue",
        positions=[{"level": "pengawas", "start_date": "2021-01-04", "end_date": "2020-01-01"}],
        penalties=[
            {"level": "ringan", "type": "potongan_tukin_6_bulan", "start_date": "2024-01-01"}
        ],
        performance=[{"year": 2025, "predicate": "Baik"}, {"year": 2025, "predicate": "Kurang"}],
    )
    with pytest.raises(ProfileInvalid) as caught:
        CandidateProfile.from_json(data)
    fields = {p.field for p in caught.value.problems}
    assert {"nip", "rank", "birth_date", "colour", "positions[0].end_date"} <= fields
    assert "penalties[0].type" in fields
    assert "performance" in fields
    assert any("sedang penalty, not ringan" in p.message for p in caught.value.problems)


def test_a_list_of_profiles_names_the_index() -> None:
    with pytest.raises(ProfileInvalid) as caught:
        profiles_from_json([ADMINISTRATOR_CANDIDATE, {"nip": "x"}])
    assert {p.file for p in caught.value.problems} == {"profiles[1]"}


def test_a_what_if_profile_is_read_leniently() -> None:
    data = {
        "nip": "TEST-1",
        "tenant_code": "kota-serang",
        "position": "ADM-01",
        "colour": "blue",
        "assessments": [
            {
                "assessed_on": "2025-08-01",
                "method": "cact",
                "scores": [{"competency": "integritas", "level": 3}],
            }
        ],
    }
    profile, warnings = read_profile(data, lenient=True)
    assert (profile.nip, profile.tenant, profile.position_code) == (
        "TEST-1",
        "kota-serang",
        "ADM-01",
    )
    assert profile.birth_date is None
    assert profile.employment_type is None
    assert profile.assessments[0].scores == (("integritas", 3),)
    assert {str(w.field) for w in warnings} == {"colour", "nip", "birth_date", "employment_type"}
    with pytest.raises(ProfileInvalid):
        CandidateProfile.from_json(data)


def test_vacancy_context_reads_its_competency_standard() -> None:
    context = VacancyContext.from_json(
        {
            "level": "administrator",
            "reference_date": "2026-03-01",
            "competencies": {"integritas": 4},
        }
    )
    assert context.competencies == (("integritas", 4),)
    with pytest.raises(ProfileInvalid, match="invalid vacancy"):
        VacancyContext.from_json({"level": "kepala", "reference_date": "2026-03-01"})


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12
) | st.sampled_from(["", 'Siti "Rahma"', "tab\tnew\nline\u0001\u007f", "Gestión 𝔘 \u2028"])
days = st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def profiles(draw: st.DrawFn) -> CandidateProfile:
    technical = draw(st.text(alphabet=string.ascii_letters + "é𝔘", min_size=1, max_size=5))
    return CandidateProfile(
        nip=draw(st.text(alphabet=string.digits, min_size=18, max_size=18)),
        birth_date=draw(st.none() | days),
        employment_type=draw(st.none() | st.sampled_from(list(EmploymentType))),
        name=draw(st.none() | texts),
        tenant=draw(st.none() | texts),
        education=tuple(
            EducationRecord(draw(st.sampled_from(list(EducationLevel))), draw(texts), 2000, i)
            for i in draw(st.lists(st.none() | texts, max_size=2))
        ),
        positions=tuple(
            PositionRecord(PositionLevel.PENGAWAS, draw(days), draw(st.none() | days), t, u)
            for t, u in draw(st.lists(st.tuples(texts, st.none() | texts), max_size=2))
        ),
        assessments=(
            AssessmentRecord(
                draw(days),
                AssessmentMethod.CACT,
                draw(st.none() | st.integers(0, 10000)),
                draw(st.none() | st.sampled_from(list(PotentialCategory))),
                tuple(sorted({("integritas", 3), (f"teknis:{technical}", 2), ("zeta", 1)})),
            ),
        ),
        penalties=(
            PenaltyRecord(
                PenaltyType.TEGURAN_LISAN.level, PenaltyType.TEGURAN_LISAN, draw(days), None
            ),
        ),
        lhkpn_year=draw(st.none() | st.integers(1990, 2030)),
        disciplinary_case_pending=draw(st.booleans()),
    )


@settings(max_examples=300)
@given(profiles())
def test_canonical_json_is_rfc_8785(profile: CandidateProfile) -> None:
    assert profile.canonical_json() == rfc8785.dumps(profile.to_json())
