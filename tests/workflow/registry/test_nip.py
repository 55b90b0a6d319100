"""NIP rules: every digit group checked against the holder's birth date, gender and type."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rules.vocab import EmploymentType, Gender
from workflow.registry.nip import check_nip, eighteenth_birthday, format_problem

TODAY = dt.date(2026, 7, 1)


def pns(nip: str, birth: str = "1985-01-01", gender: str = "M") -> list[str]:
    result = check_nip(
        nip,
        birth_date=dt.date.fromisoformat(birth),
        gender=gender,
        employment_type=EmploymentType.PNS,
        today=TODAY,
    )
    return list(result.problems)


def pppk(nip: str, birth: str = "1990-02-15", gender: str = "F") -> list[str]:
    result = check_nip(
        nip,
        birth_date=dt.date.fromisoformat(birth),
        gender=gender,
        employment_type=EmploymentType.PPPK,
        today=TODAY,
    )
    return list(result.problems)


def test_a_valid_pns_nip_says_birth_appointment_gender_and_sequence() -> None:
    result = check_nip(
        "198501012010031002",
        birth_date=dt.date(1985, 1, 1),
        gender=Gender.MALE,
        employment_type="PNS",
        today=TODAY,
    )
    assert result.ok
    assert result.info is not None
    assert result.info.birth_date == dt.date(1985, 1, 1)
    assert result.info.appointment == dt.date(2010, 3, 1)
    assert result.info.appointment_precision == "month"
    assert result.info.gender is Gender.MALE
    assert result.info.sequence == 2


def test_a_valid_pppk_nip_gives_the_appointment_year() -> None:
    result = check_nip(
        "199002152022212003",
        birth_date=dt.date(1990, 2, 15),
        gender="F",
        employment_type=EmploymentType.PPPK,
        today=TODAY,
    )
    assert result.ok
    assert result.info is not None
    assert result.info.appointment == dt.date(2022, 1, 1)
    assert result.info.appointment_precision == "year"
    assert result.info.gender is Gender.FEMALE


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19850101201003100", "NIP must be 18 digits; it has 17 digits"),
        ("1985010120100310021", "NIP must be 18 digits; it has 19 digits"),
        ("19850101201003100A", "NIP must contain only digits; found 'A' at position 18"),
        ("1985-101201003100 ", "NIP must contain only digits; found '-' at position 5"),
        ("198513012010031002", "NIP digits 1-8 (19851301) are not a valid birth date (YYYYMMDD)"),
        (
            "198501022010031002",
            "NIP digits 1-8 give birth date 1985-01-02 but birth_date is 1985-01-01",
        ),
        (
            "198501012010131002",
            "NIP digits 9-14 (201013) are the CPNS appointment year and month; "
            "13 is not a month (01-12)",
        ),
        (
            "198501012010001002",
            "NIP digits 9-14 (201000) are the CPNS appointment year and month; "
            "00 is not a month (01-12)",
        ),
        (
            "198501012010211002",
            "NIP digits 13-14 are 21, the PPPK marker, but employment_type is PNS",
        ),
        (
            "198501012002121002",
            "NIP digits 9-14 give CPNS appointment 2002-12, before the 18th birthday (2003-01-01)",
        ),
        (
            "198501012026081002",
            "NIP digits 9-14 give CPNS appointment 2026-08, which is in the future",
        ),
        ("198501012010033002", "NIP digit 15 must be 1 (male) or 2 (female), not 3"),
        ("198501012010031000", "NIP digits 16-18 are a sequence from 001 to 999, not 000"),
    ],
)
def test_each_pns_rule_has_its_own_message(nip: str, message: str) -> None:
    assert pns(nip) == [message]


def test_gender_digit_must_match_the_gender() -> None:
    assert pns("198501012010032002", gender="M") == ["NIP digit 15 is 2 (female) but gender is M"]


def test_appointment_in_the_month_of_the_18th_birthday_before_the_day_is_refused() -> None:
    assert pns("200005152018051001", birth="2000-05-15") == [
        "NIP digits 9-14 give CPNS appointment 2018-05, before the 18th birthday (2018-05-15)"
    ]
    assert pns("200005012018051001", birth="2000-05-01") == []


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        (
            "199002152022032003",
            "NIP digits 13-14 of a PPPK must be 21 (the PPPK marker), not 03",
        ),
        (
            "199002152027212003",
            "NIP digits 9-12 give PPPK appointment year 2027, which is in the future",
        ),
        (
            "199002152007212003",
            "NIP digits 9-12 give PPPK appointment year 2007, before the year the holder turned 18"
            " (2008)",
        ),
    ],
)
def test_each_pppk_rule_has_its_own_message(nip: str, message: str) -> None:
    assert pppk(nip) == [message]


def test_several_problems_are_all_reported() -> None:
    problems = pns("198501022010133002", gender="F")
    assert len(problems) == 3
    assert problems[0].startswith("NIP digits 1-8 give birth date 1985-01-02")
    assert "13 is not a month" in problems[1]
    assert problems[2] == "NIP digit 15 must be 1 (male) or 2 (female), not 3"


def test_an_unknown_employment_type_still_checks_the_common_digits() -> None:
    result = check_nip(
        "198501022010031002",
        birth_date=dt.date(1985, 1, 1),
        gender="M",
        employment_type="honorer",
        today=TODAY,
    )
    assert result.problems == (
        "NIP digits 1-8 give birth date 1985-01-02 but birth_date is 1985-01-01",
    )
    assert result.info is None


def test_format_problem_accepts_only_eighteen_ascii_digits() -> None:
    assert format_problem("198501012010031002") is None
    assert format_problem("١٩٨٥٠١٠١٢٠١٠٠٣١٠٠٢") is not None  # Arabic-Indic digits
    assert format_problem("") == "NIP is empty; it must be 18 digits"
    assert format_problem("1985 0101") == "NIP must be 18 digits; it has 9 characters"


def test_eighteenth_birthday_of_a_leap_day() -> None:
    assert eighteenth_birthday(dt.date(2004, 2, 29)) == dt.date(2022, 2, 28)


@st.composite
def holders(draw: st.DrawFn) -> tuple[dt.date, dt.date, Gender, int, EmploymentType]:
    birth = draw(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2006, 12, 31)))
    kind = draw(st.sampled_from(EmploymentType))
    earliest = eighteenth_birthday(birth)
    appointment = draw(st.dates(min_value=earliest, max_value=TODAY))
    if kind is EmploymentType.PNS:
        appointment = appointment.replace(day=1)
        assume(appointment >= earliest)
    gender = draw(st.sampled_from(Gender))
    sequence = draw(st.integers(min_value=1, max_value=999))
    return birth, appointment, gender, sequence, kind


def compose(
    birth: dt.date, appointment: dt.date, gender: Gender, seq: int, kind: EmploymentType
) -> str:
    middle = f"{appointment:%Y%m}" if kind is EmploymentType.PNS else f"{appointment:%Y}21"
    return f"{birth:%Y%m%d}{middle}{gender.nip_digit}{seq:03d}"


@given(holders())
def test_every_well_formed_nip_passes_and_decodes_to_its_parts(
    holder: tuple[dt.date, dt.date, Gender, int, EmploymentType],
) -> None:
    birth, appointment, gender, sequence, kind = holder
    nip = compose(*holder)
    result = check_nip(nip, birth_date=birth, gender=gender, employment_type=kind, today=TODAY)
    assert result.problems == ()
    assert result.info is not None
    assert result.info.birth_date == birth
    assert result.info.gender is gender
    assert result.info.sequence == sequence
    expected = appointment if kind is EmploymentType.PNS else dt.date(appointment.year, 1, 1)
    assert result.info.appointment == expected


@given(holders(), st.integers(min_value=1, max_value=3650))
def test_a_birth_date_that_disagrees_is_always_caught(
    holder: tuple[dt.date, dt.date, Gender, int, EmploymentType], shift: int
) -> None:
    birth, _appointment, gender, _sequence, kind = holder
    nip = compose(*holder)
    other = birth - dt.timedelta(days=shift)
    result = check_nip(nip, birth_date=other, gender=gender, employment_type=kind, today=TODAY)
    assert any("but birth_date is" in problem for problem in result.problems)
    assert result.info is None


@given(holders())
def test_the_other_employment_type_never_accepts_the_same_nip(
    holder: tuple[dt.date, dt.date, Gender, int, EmploymentType],
) -> None:
    birth, _appointment, gender, _sequence, kind = holder
    other = EmploymentType.PPPK if kind is EmploymentType.PNS else EmploymentType.PNS
    result = check_nip(
        compose(*holder), birth_date=birth, gender=gender, employment_type=other, today=TODAY
    )
    assert not result.ok
