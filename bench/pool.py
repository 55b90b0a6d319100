"""A seeded generator of realistic candidate pools for one Administrator vacancy (benchmarks).

The mix follows ``docs/rules.md`` §14: most candidates sit one level below the
vacancy (pengawas or an equivalent JF), some are still pelaksana or already administrators; ranks
cluster around III/c-IV/a, most have a recent assessment and two years of "Baik" or better, a few
carry penalties, and some lack a document or an assessment (so they need data).
"""

from __future__ import annotations

import datetime as dt
import random

from rules.profile import (
    AssessmentRecord,
    CandidateProfile,
    EducationRecord,
    PenaltyRecord,
    PerformanceRecord,
    PositionRecord,
    TrainingRecord,
)
from rules.vocab import (
    AssessmentMethod,
    Competency,
    EducationLevel,
    EmploymentType,
    Gender,
    PenaltyType,
    PositionLevel,
    PotentialCategory,
    Predicate,
    Rank,
    Training,
)

REFERENCE_DATE = dt.date(2026, 3, 1)
_LEVELS = (
    (PositionLevel.PENGAWAS, 0.40),
    (PositionLevel.JF_AHLI_MUDA, 0.12),
    (PositionLevel.JF_AHLI_PERTAMA, 0.08),
    (PositionLevel.PELAKSANA, 0.22),
    (PositionLevel.ADMINISTRATOR, 0.10),
    (PositionLevel.JF_AHLI_MADYA, 0.08),
)
_RANKS = (Rank.III_B, Rank.III_C, Rank.III_D, Rank.III_D, Rank.IV_A, Rank.IV_A, Rank.IV_B)
_COMPETENCIES = tuple(c.value for c in Competency)


def _pick(rnd: random.Random, table: tuple[tuple[PositionLevel, float], ...]) -> PositionLevel:
    x = rnd.random()
    for value, weight in table:
        x -= weight
        if x < 0:
            return value
    return table[-1][0]


def _day(rnd: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rnd.randrange((end - start).days + 1))


def candidate(rnd: random.Random, serial: int) -> CandidateProfile:
    """Return one generated candidate."""
    birth = _day(rnd, dt.date(1968, 1, 1), dt.date(1994, 12, 31))
    gender = rnd.choice((Gender.MALE, Gender.FEMALE))
    start = dt.date(birth.year + rnd.randint(22, 28), rnd.randint(1, 12), 1)
    nip = f"{birth:%Y%m%d}{start:%Y%m}{gender.nip_digit}{serial % 1000:03d}"
    level = _pick(rnd, _LEVELS)
    now_since = _day(rnd, REFERENCE_DATE - dt.timedelta(days=9 * 365), REFERENCE_DATE)
    positions = [PositionRecord(level, now_since, None, "Jabatan sekarang")]
    if now_since > start:
        earlier = (
            PositionLevel.PENGAWAS
            if level
            in (
                PositionLevel.ADMINISTRATOR,
                PositionLevel.JF_AHLI_MADYA,
            )
            and rnd.random() < 0.8
            else PositionLevel.PELAKSANA
        )
        positions.insert(
            0, PositionRecord(earlier, start, now_since - dt.timedelta(days=1), "Jabatan lama")
        )
    education = [EducationRecord(EducationLevel.SMA, "IPA", birth.year + 18)]
    top = rnd.choices(
        (EducationLevel.D_III, EducationLevel.S1, EducationLevel.D_IV, EducationLevel.S2),
        (0.12, 0.6, 0.08, 0.2),
    )[0]
    education.append(EducationRecord(top, "Administrasi Publik", birth.year + 22))
    trainings = []
    if rnd.random() < 0.75:
        trainings.append(TrainingRecord(Training.PKP, _day(rnd, start, REFERENCE_DATE)))
    if rnd.random() < 0.25:
        trainings.append(TrainingRecord(Training.PKA, _day(rnd, start, REFERENCE_DATE)))
    performance = []
    for year in range(REFERENCE_DATE.year - 3, REFERENCE_DATE.year):
        if rnd.random() < 0.02:
            continue
        predicate = rnd.choices(
            (Predicate.SANGAT_BAIK, Predicate.BAIK, Predicate.BUTUH_PERBAIKAN, Predicate.KURANG),
            (0.25, 0.68, 0.05, 0.02),
        )[0]
        performance.append(PerformanceRecord(year, predicate))
    assessments = []
    if rnd.random() < 0.88:
        scores = tuple(sorted((c, rnd.choice((2, 3, 3, 3, 4))) for c in _COMPETENCIES))
        potential = rnd.choice(tuple(PotentialCategory)) if rnd.random() < 0.7 else None
        assessments.append(
            AssessmentRecord(
                _day(rnd, REFERENCE_DATE - dt.timedelta(days=900), REFERENCE_DATE),
                AssessmentMethod.ASSESSMENT_CENTER,
                rnd.randint(6000, 9800) if rnd.random() < 0.9 else None,
                potential,
                scores,
            )
        )
    penalties = []
    roll = rnd.random()
    if roll < 0.03:
        begun = _day(rnd, REFERENCE_DATE - dt.timedelta(days=1500), REFERENCE_DATE)
        penalties.append(
            PenaltyRecord(
                PenaltyType.TEGURAN_TERTULIS.level, PenaltyType.TEGURAN_TERTULIS, begun, begun
            )
        )
    elif roll < 0.05:
        begun = _day(rnd, REFERENCE_DATE - dt.timedelta(days=1500), REFERENCE_DATE)
        penalties.append(
            PenaltyRecord(
                PenaltyType.POTONGAN_TUKIN_6.level,
                PenaltyType.POTONGAN_TUKIN_6,
                begun,
                begun + dt.timedelta(days=182),
            )
        )
    lhkpn = rnd.choices((2025, 2024, None), (0.9, 0.05, 0.05))[0]
    certificate = rnd.choices(
        (
            _day(rnd, REFERENCE_DATE - dt.timedelta(days=330), REFERENCE_DATE),
            dt.date(2024, 6, 1),
            None,
        ),
        (0.85, 0.08, 0.07),
    )[0]
    return CandidateProfile(
        nip=nip,
        birth_date=birth,
        employment_type=EmploymentType.PNS if rnd.random() < 0.97 else EmploymentType.PPPK,
        name=f"Pegawai {serial}",
        gender=gender,
        tenant="kota-serang",
        rank=rnd.choice(_RANKS),
        rank_tmt=_day(rnd, REFERENCE_DATE - dt.timedelta(days=2000), REFERENCE_DATE),
        education=tuple(education),
        positions=tuple(positions),
        trainings=tuple(trainings),
        performance=tuple(performance),
        assessments=tuple(assessments),
        penalties=tuple(penalties),
        lhkpn_year=lhkpn,
        health_certificate_date=certificate,
        disciplinary_case_pending=rnd.random() < 0.01,
    )


def pool(size: int, seed: int = 2026) -> list[CandidateProfile]:
    """Return ``size`` generated candidates with distinct NIPs."""
    rnd = random.Random(seed)
    out = []
    seen: set[str] = set()
    serial = 0
    while len(out) < size:
        profile = candidate(rnd, serial)
        serial += 1
        if profile.nip not in seen:
            seen.add(profile.nip)
            out.append(profile)
    return out
