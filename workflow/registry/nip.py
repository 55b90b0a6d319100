"""The 18-digit NIP (*Nomor Induk Pegawai*) of a PNS and the NI PPPK of a PPPK, digit by digit.

PNS: ``YYYYMMDD`` birth date, ``YYYYMM`` CPNS appointment (TMT CPNS), one gender digit
(1 male, 2 female), a three-digit sequence. PPPK (our documented rule, ``docs/import.md``):
``YYYYMMDD`` birth date, ``YYYY`` appointment year, the literal ``21`` (the PPPK marker, which
is never a month, so the two kinds cannot be confused), one gender digit, a three-digit sequence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

from rules.vocab import EmploymentType, Gender

NIP_LENGTH: Final = 18
PPPK_MARKER: Final = "21"
"""Digits 13-14 of an NI PPPK."""
MIN_AGE: Final = 18
"""Nobody is appointed ASN before turning 18 (UU 20/2023, PP 11/2017 Art. 23)."""

_GENDER_BY_DIGIT: Final = {"1": Gender.MALE, "2": Gender.FEMALE}


@dataclass(frozen=True, slots=True)
class NipInfo:
    """What a valid NIP says about its holder."""

    birth_date: dt.date
    appointment: dt.date
    """TMT CPNS (first day of the month) for a PNS; 1 January of the appointment year for a PPPK."""
    appointment_precision: Literal["month", "year"]
    gender: Gender
    sequence: int
    employment_type: EmploymentType


@dataclass(frozen=True, slots=True)
class NipCheck:
    """The outcome of checking an NIP: specific problems, and what it says when it is valid."""

    problems: tuple[str, ...]
    info: NipInfo | None

    @property
    def ok(self) -> bool:
        """Return whether the NIP passed every rule."""
        return not self.problems


def format_problem(nip: str) -> str | None:
    """Return why ``nip`` is not 18 digits, or None when its shape is right."""
    if len(nip) == NIP_LENGTH and nip.isascii() and nip.isdigit():
        return None
    if not nip:
        return f"NIP is empty; it must be {NIP_LENGTH} digits"
    if len(nip) != NIP_LENGTH:
        unit = "digits" if nip.isascii() and nip.isdigit() else "characters"
        return f"NIP must be {NIP_LENGTH} digits; it has {len(nip)} {unit}"
    for position, char in enumerate(nip, start=1):
        if not ("0" <= char <= "9"):
            return f"NIP must contain only digits; found {char!r} at position {position}"
    return None


def eighteenth_birthday(birth_date: dt.date) -> dt.date:
    """Return the day someone born on ``birth_date`` turns 18 (29 February → 28 February)."""
    try:
        return birth_date.replace(year=birth_date.year + MIN_AGE)
    except ValueError:
        return birth_date.replace(year=birth_date.year + MIN_AGE, day=28)


def birth_date_of(nip: str) -> dt.date | None:
    """Return the birth date in digits 1-8 of a well-formed NIP, or None if it is not a date."""
    try:
        return dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return None


def check_nip(
    nip: str,
    *,
    birth_date: dt.date | None,
    gender: Gender | str | None,
    employment_type: EmploymentType | str | None,
    today: dt.date,
) -> NipCheck:
    """Return every problem with ``nip`` against the holder's data, and what a valid NIP says.

    ``birth_date``, ``gender`` and ``employment_type`` may be None (or, for the last two, an
    unknown value) when the row failed elsewhere: the digits are then checked on their own.
    """
    shape = format_problem(nip)
    if shape:
        return NipCheck((shape,), None)
    problems: list[str] = []

    born = birth_date_of(nip)
    if born is None:
        problems.append(f"NIP digits 1-8 ({nip[:8]}) are not a valid birth date (YYYYMMDD)")
    elif birth_date is not None and born != birth_date:
        problems.append(
            f"NIP digits 1-8 give birth date {born.isoformat()} "
            f"but birth_date is {birth_date.isoformat()}"
        )

    kind = _employment_type(employment_type)
    appointment: dt.date | None = None
    precision: Literal["month", "year"] = "month"
    if kind is EmploymentType.PNS:
        appointment = _check_pns_appointment(nip, born, today, problems)
    elif kind is EmploymentType.PPPK:
        appointment = _check_pppk_appointment(nip, born, today, problems)
        precision = "year"

    holder_gender = _GENDER_BY_DIGIT.get(nip[14])
    if holder_gender is None:
        problems.append(f"NIP digit 15 must be 1 (male) or 2 (female), not {nip[14]}")
    else:
        wanted = _gender(gender)
        if wanted is not None and wanted is not holder_gender:
            meaning = "male" if holder_gender is Gender.MALE else "female"
            problems.append(f"NIP digit 15 is {nip[14]} ({meaning}) but gender is {wanted.value}")

    sequence = int(nip[15:18])
    if sequence == 0:
        problems.append("NIP digits 16-18 are a sequence from 001 to 999, not 000")

    if problems or born is None or appointment is None or holder_gender is None or kind is None:
        return NipCheck(tuple(problems), None)
    info = NipInfo(
        birth_date=born,
        appointment=appointment,
        appointment_precision=precision,
        gender=holder_gender,
        sequence=sequence,
        employment_type=kind,
    )
    return NipCheck((), info)


def _check_pns_appointment(
    nip: str, born: dt.date | None, today: dt.date, problems: list[str]
) -> dt.date | None:
    year, month = int(nip[8:12]), int(nip[12:14])
    if year == 0:
        problems.append(f"NIP digits 9-12 ({nip[8:12]}) are not a CPNS appointment year")
        return None
    if nip[12:14] == PPPK_MARKER:
        problems.append(
            f"NIP digits 13-14 are {PPPK_MARKER}, the PPPK marker, but employment_type is PNS"
        )
        return None
    if not 1 <= month <= 12:
        problems.append(
            f"NIP digits 9-14 ({nip[8:14]}) are the CPNS appointment year and month; "
            f"{nip[12:14]} is not a month (01-12)"
        )
        return None
    appointment = dt.date(year, month, 1)
    shown = f"{year:04d}-{month:02d}"
    if appointment > today:
        problems.append(f"NIP digits 9-14 give CPNS appointment {shown}, which is in the future")
    elif born is not None and appointment < eighteenth_birthday(born):
        problems.append(
            f"NIP digits 9-14 give CPNS appointment {shown}, before the 18th birthday "
            f"({eighteenth_birthday(born).isoformat()})"
        )
    return appointment


def _check_pppk_appointment(
    nip: str, born: dt.date | None, today: dt.date, problems: list[str]
) -> dt.date | None:
    year = int(nip[8:12])
    if nip[12:14] != PPPK_MARKER:
        problems.append(
            f"NIP digits 13-14 of a PPPK must be {PPPK_MARKER} (the PPPK marker), not {nip[12:14]}"
        )
    if year == 0:
        problems.append(f"NIP digits 9-12 ({nip[8:12]}) are not a PPPK appointment year")
        return None
    if year > today.year:
        problems.append(
            f"NIP digits 9-12 give PPPK appointment year {nip[8:12]}, which is in the future"
        )
        return None
    if born is not None and year < born.year + MIN_AGE:
        problems.append(
            f"NIP digits 9-12 give PPPK appointment year {year}, before the year the holder "
            f"turned 18 ({born.year + MIN_AGE})"
        )
    return dt.date(year, 1, 1)


def _employment_type(value: EmploymentType | str | None) -> EmploymentType | None:
    try:
        return EmploymentType(value) if value is not None else None
    except ValueError:
        return None


def _gender(value: Gender | str | None) -> Gender | None:
    try:
        return Gender(value) if value is not None else None
    except ValueError:
        return None
