"""Domain rules on one imported row: vocabularies, dates, NIP consistency, penalty tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from workflow.registry.importing.row_rules import check_row
from workflow.registry.records import RecordType

TODAY = dt.date(2026, 7, 1)
NIP = "198501012010031002"


def employee(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "nip": NIP,
        "name": "Ahmad Fauzi, S.E.",
        "birth_date": dt.date(1985, 1, 1),
        "gender": "M",
        "tenant_code": "KOTA-SERANG",
        "employment_type": "PNS",
        "rank": "III/c",
        "rank_tmt": dt.date(2018, 4, 1),
        "position_code": None,
        "lhkpn_year": 2026,
        "health_certificate_date": dt.date(2026, 1, 10),
        "disciplinary_case_pending": False,
    }
    row.update(changes)
    return row


def problems(record_type: RecordType, row: dict[str, Any]) -> list[tuple[str, str]]:
    return check_row(record_type, row, today=TODAY)


def test_a_sound_employee_has_no_problems() -> None:
    assert problems(RecordType.EMPLOYEE, employee()) == []


def test_unknown_rank_is_named_with_the_valid_range() -> None:
    assert problems(RecordType.EMPLOYEE, employee(rank="III/f")) == [
        ("rank", "unknown rank 'III/f'; ranks run from I/a to IV/e")
    ]


def test_a_pns_needs_rank_and_tmt() -> None:
    assert problems(RecordType.EMPLOYEE, employee(rank=None, rank_tmt=None)) == [
        ("rank", "a PNS needs a rank (pangkat/golongan ruang, I/a to IV/e)"),
        ("rank_tmt", "a PNS needs the TMT date of the current rank"),
    ]


def test_a_pppk_has_no_rank() -> None:
    row = employee(
        nip="199002152022212003",
        birth_date=dt.date(1990, 2, 15),
        gender="F",
        employment_type="PPPK",
    )
    assert problems(RecordType.EMPLOYEE, row) == [
        ("rank", "a PPPK has no pangkat/golongan ruang; leave it empty"),
        ("rank_tmt", "a PPPK has no pangkat/golongan ruang; leave it empty"),
    ]


def test_rank_tmt_cannot_precede_the_appointment_nor_lie_ahead() -> None:
    assert problems(RecordType.EMPLOYEE, employee(rank_tmt=dt.date(2009, 12, 1))) == [
        ("rank_tmt", "2009-12-01 is before the appointment (2010-03-01) the NIP gives")
    ]
    assert problems(RecordType.EMPLOYEE, employee(rank_tmt=dt.date(2026, 10, 1))) == [
        ("rank_tmt", "2026-10-01 is in the future (today is 2026-07-01)")
    ]


def test_nip_problems_are_reported_on_the_nip_field() -> None:
    found = problems(RecordType.EMPLOYEE, employee(birth_date=dt.date(1985, 1, 2), gender="F"))
    assert found == [
        ("nip", "NIP digits 1-8 give birth date 1985-01-01 but birth_date is 1985-01-02"),
        ("nip", "NIP digit 15 is 1 (male) but gender is F"),
    ]


def test_vocabulary_values_are_checked_with_the_choices_listed() -> None:
    found = problems(RecordType.EMPLOYEE, employee(gender="L", employment_type="honorer"))
    assert ("gender", "unknown gender 'L'; expected one of M, F") in found
    assert ("employment_type", "unknown employment type 'honorer'; expected one of PNS, PPPK") in (
        found
    )


@pytest.mark.parametrize(
    ("level", "kind", "message"),
    [
        (
            "ringan",
            "potongan_tukin_6_bulan",
            "potongan_tukin_6_bulan is a sedang penalty (PP 94/2021), not ringan",
        ),
        (
            "berat",
            "teguran_lisan",
            "teguran_lisan is a ringan penalty (PP 94/2021), not berat",
        ),
    ],
)
def test_penalty_type_must_belong_to_its_tier(level: str, kind: str, message: str) -> None:
    row = {"nip": NIP, "level": level, "type": kind, "start_date": dt.date(2025, 1, 1)}
    assert problems(RecordType.PENALTY, row) == [("type", message)]


def test_a_penalty_may_end_in_the_future_but_not_before_it_starts() -> None:
    row = {
        "nip": NIP,
        "level": "sedang",
        "type": "potongan_tukin_12_bulan",
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2027, 2, 28),
    }
    assert problems(RecordType.PENALTY, row) == []
    row["end_date"] = dt.date(2026, 2, 1)
    assert problems(RecordType.PENALTY, row) == [
        ("end_date", "2026-02-01 is before the start date 2026-03-01")
    ]


def test_position_history_dates_are_checked() -> None:
    row = {
        "nip": NIP,
        "title": "Analis",
        "level": "jf_ahli_muda",
        "start_date": dt.date(2020, 1, 1),
        "end_date": dt.date(2019, 1, 1),
    }
    assert problems(RecordType.POSITION_HISTORY, row) == [
        ("end_date", "2019-01-01 is before the start date 2020-01-01")
    ]
    row.update(start_date=dt.date(2002, 1, 1), end_date=dt.date(2027, 1, 1))
    assert problems(RecordType.POSITION_HISTORY, row) == [
        ("start_date", "2002-01-01 is before the holder turned 18 (NIP birth date)"),
        ("end_date", "2027-01-01 is in the future (today is 2026-07-01)"),
    ]


def test_child_rows_need_a_well_formed_nip() -> None:
    row = {"nip": "19850101201003100", "year": 2025, "predicate": "Baik"}
    assert problems(RecordType.PERFORMANCE, row) == [
        ("nip", "NIP must be 18 digits; it has 17 digits")
    ]


def test_performance_year_and_predicate() -> None:
    row = {"nip": NIP, "year": 2027, "predicate": "Bagus"}
    assert problems(RecordType.PERFORMANCE, row) == [
        ("year", "2027 is in the future (this year is 2026)"),
        (
            "predicate",
            "unknown performance predicate 'Bagus'; expected one of Sangat Baik, Baik, "
            "Butuh Perbaikan, Kurang, Sangat Kurang",
        ),
    ]


def test_education_year_must_follow_the_birth_year() -> None:
    row = {"nip": NIP, "level": "S1", "field": "Hukum", "year": 1984}
    assert problems(RecordType.EDUCATION, row) == [
        ("year", "1984 is not after the birth year 1985 the NIP gives")
    ]


def test_assessment_jpm_is_a_percentage() -> None:
    row = {
        "nip": NIP,
        "assessed_on": dt.date(2025, 6, 1),
        "method": "assessment_center",
        "jpm": Decimal("100.01"),
        "potential": "sedang",
    }
    assert problems(RecordType.ASSESSMENT, row) == [
        ("jpm", "the job-person match is a percentage 0-100, not 100.01"),
        (
            "potential",
            "unknown potential category 'sedang'; expected one of rendah, menengah, tinggi",
        ),
    ]


@pytest.mark.parametrize(
    ("competency", "ok"),
    [
        ("integritas", True),
        ("perekat_bangsa", True),
        ("teknis:manajemen_sdm", True),
        ("teknis:", False),
        ("teknis:Manajemen SDM", False),
        ("teknis:" + "x" * 74, False),
        ("leadership", False),
    ],
)
def test_competencies_are_the_nine_or_technical_codes(competency: str, ok: bool) -> None:
    row = {
        "nip": NIP,
        "assessed_on": dt.date(2025, 6, 1),
        "method": "cact",
        "competency": competency,
        "level": 3,
    }
    assert (problems(RecordType.ASSESSMENT_SCORE, row) == []) is ok


def test_competency_levels_run_from_one_to_five() -> None:
    row = {"tenant_code": "BKN", "position_code": "X", "competency": "integritas"}
    assert problems(RecordType.POSITION_COMPETENCY, row | {"required_level": 6}) == [
        ("required_level", "competency levels run from 1 to 5, not 6")
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"code": "BKN", "name": "BKN", "level": "national", "parent_code": None}, []),
        (
            {"code": "BKN", "name": "BKN", "level": "national", "parent_code": "X"},
            [("parent_code", "a national tenant has no parent; leave it empty")],
        ),
        (
            {"code": "KOTA-SERANG", "name": "Kota Serang", "level": "city", "parent_code": None},
            [("parent_code", "a city tenant needs its province parent")],
        ),
        (
            {
                "code": "KOTA SERANG",
                "name": "Kota Serang",
                "level": "kota",
                "parent_code": "BANTEN",
            },
            [
                ("code", "'KOTA SERANG' is not a code: use letters, digits, '.', '-' and '_' only"),
                (
                    "level",
                    "unknown tenant level 'kota'; "
                    "expected one of national, province, regency, city",
                ),
            ],
        ),
    ],
)
def test_tenant_rows(row: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(RecordType.TENANT, row) == expected


def test_future_dates_are_refused_everywhere_they_cannot_be() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    assert problems(RecordType.TRAINING, {"nip": NIP, "kind": "PKP", "completed_on": tomorrow}) == [
        ("completed_on", "2026-07-02 is in the future (today is 2026-07-01)")
    ]
    assert problems(RecordType.EMPLOYEE, employee(health_certificate_date=tomorrow)) == [
        ("health_certificate_date", "2026-07-02 is in the future (today is 2026-07-01)")
    ]
