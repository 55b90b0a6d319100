"""Builders for rule tests: an eligible Administrator candidate and vacancies to vary."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from rules.profile import CandidateProfile, VacancyContext
from rules.vocab import PositionLevel

REFERENCE = dt.date(2026, 3, 1)

ADMINISTRATOR_CANDIDATE: dict[str, Any] = {
    "nip": "198003152005012001",
    "name": "Siti Rahmawati",
    "birth_date": "1980-03-15",
    "gender": "F",
    "employment_type": "PNS",
    "rank": "IV/a",
    "rank_tmt": "2022-04-01",
    "education": [{"level": "S1", "field": "Administrasi Publik", "year": 2002}],
    "positions": [
        {"level": "pengawas", "title": "Kepala Subbagian Umum", "start_date": "2021-01-04"},
        {
            "level": "pelaksana",
            "title": "Analis",
            "start_date": "2005-01-01",
            "end_date": "2021-01-03",
        },
    ],
    "trainings": [
        {"kind": "PKP", "completed_on": "2021-06-10"},
        {"kind": "PKA", "completed_on": "2024-09-01"},
    ],
    "performance": [
        {"year": 2024, "predicate": "Sangat Baik"},
        {"year": 2025, "predicate": "Sangat Baik"},
    ],
    "assessments": [
        {
            "assessed_on": "2025-08-01",
            "method": "assessment_center",
            "jpm": 91.5,
            "potential": "tinggi",
            "scores": {
                "integritas": 4,
                "kerja_sama": 3,
                "komunikasi": 3,
                "orientasi_pada_hasil": 4,
                "pelayanan_publik": 3,
                "pengembangan_diri_dan_orang_lain": 3,
                "mengelola_perubahan": 3,
                "pengambilan_keputusan": 3,
                "perekat_bangsa": 3,
            },
        }
    ],
    "lhkpn_year": 2025,
    "health_certificate_date": "2026-01-15",
}
"""An eligible Administrator candidate (box 9) on :data:`REFERENCE`."""


def candidate(**changes: Any) -> CandidateProfile:
    """Return the eligible Administrator candidate with top-level fields changed."""
    data = copy.deepcopy(ADMINISTRATOR_CANDIDATE)
    data.update(changes)
    return CandidateProfile.from_json({k: v for k, v in data.items() if v is not None})


def vacancy(level: str = "administrator", **changes: Any) -> VacancyContext:
    """Return a vacancy at ``level`` on :data:`REFERENCE`."""
    return VacancyContext(PositionLevel(level), REFERENCE, **changes)
