"""The demo's service records: leadership trainings, yearly predicates, assessments, penalties.

Trainings (PKP, PKA, PKN II, PKN I; the Diklatpim name before 2020) follow each appointment
within two years, some come early; three years of predicates are drawn by the person's type
(about 16 % Sangat Baik, 71 % Baik, 9 % Butuh Perbaikan, 3 % Kurang, 1 % Sangat Kurang);
assessments (assessment centre for structural staff, CACT otherwise) carry the nine levels, a
technical one, JPM and potential; a few penalties of each PP 94/2021 tier.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from rules.vocab import Competency, PenaltyLevel, PenaltyType, PositionLevel, Training
from workflow.registry.demo import data
from workflow.registry.demo.careers import Career
from workflow.registry.demo.organisation import Position


class History:
    """Draws what a career leaves on record from ``rng``, up to ``as_of``."""

    def __init__(self, rng: random.Random, as_of: dt.date) -> None:
        self.rng = rng
        self.as_of = as_of

    def trainings(self, career: Career) -> list[dict[str, Any]]:
        """Return the leadership trainings of a PNS career (within two years of each step)."""
        rng = self.rng
        result = []
        for segment in career.segments:
            course = data.TRAINING_FOR.get(segment.level)
            if course is None:
                continue
            kind, odds = course
            if rng.random() >= odds:
                continue
            done = segment.start + dt.timedelta(days=rng.randrange(60, 730))
            if done > self.as_of:
                continue
            result.append(self._training(kind, done))
        current = career.segments[-1]
        tenure = (self.as_of - current.start).days / 365.25
        early = data.EARLY_TRAINING.get(current.level)
        if early is not None and tenure >= early[1] and rng.random() < early[2]:
            done = self.as_of - dt.timedelta(days=rng.randrange(30, 400))
            result.append(self._training(early[0], max(done, current.start)))
        return result

    def _training(self, kind: Training, done: dt.date) -> dict[str, Any]:
        name = data.LEGACY[kind] if done < data.LEGACY_TRAINING_BEFORE else kind
        return {"kind": name.value, "completed_on": done.isoformat()}

    def performance(self, career: Career, trait: str) -> list[dict[str, Any]]:
        """Return the predicates of the last three years served, drawn by ``trait``."""
        odds = data.PERFORMANCE_TRAITS[trait]
        result = []
        for year in range(self.as_of.year - 3, self.as_of.year):
            if year < career.start.year:
                continue
            predicate = self.rng.choices(data.PREDICATES, odds)[0]
            result.append({"year": year, "predicate": predicate})
        return result

    def assessments(
        self, career: Career, position: Position, trait: str, structural: bool, pns: bool
    ) -> list[dict[str, Any]]:
        """Return the competency assessments (most people have one, some two), or none."""
        rng = self.rng
        senior = position.level in (PositionLevel.JF_AHLI_MADYA, PositionLevel.JF_AHLI_UTAMA)
        odds = 0.95 if structural else 0.85 if senior else 0.7 if pns else 0.35
        if rng.random() >= odds:
            return []
        standard = data.STANDARD[position.level]
        potential = rng.choices(
            ("tinggi", "menengah", "rendah"),
            {"star": (45, 45, 10), "solid": (20, 58, 22), "weak": (6, 44, 50), "poor": (2, 28, 70)}[
                trait
            ],
        )[0]
        results = []
        count = 2 if rng.random() < 0.2 else 1
        latest = self.as_of - dt.timedelta(days=rng.randrange(30, 900))
        for index in range(count):
            day = latest - dt.timedelta(days=index * rng.randrange(380, 900))
            if day < career.start:
                break
            if structural or senior:
                method = "assessment_center" if rng.random() < 0.7 else "cact"
            else:
                method = "cact" if rng.random() < 0.8 else "uji_kompetensi"
            results.append(self._assessment(day, method, standard, potential, position))
        return results

    def _assessment(
        self, day: dt.date, method: str, standard: int, potential: str, position: Position
    ) -> dict[str, Any]:
        rng = self.rng
        shift = {"tinggi": 0.9, "menengah": 0.3, "rendah": -0.4}[potential]
        scores = [
            {
                "competency": competency.value,
                "level": min(5, max(1, round(standard + shift + rng.gauss(0, 0.5)))),
            }
            for competency in Competency
        ]
        scores.append(
            {
                "competency": f"teknis:{data.FAMILIES[position.family].technical}",
                "level": min(5, max(1, round(standard + shift + rng.gauss(0, 0.7)))),
            }
        )
        band = {"tinggi": (90.0, 99.5), "menengah": (78.0, 89.99), "rendah": (60.0, 77.99)}
        measured = potential
        if rng.random() < 0.1:
            measured = rng.choice(("tinggi", "menengah", "rendah"))
        jpm = round(rng.uniform(*band[measured]), 2)
        return {
            "assessed_on": day.isoformat(),
            "method": method,
            "jpm": jpm,
            "potential": potential,
            "scores": scores,
        }

    def penalties(self, career: Career, trait: str, structural: bool) -> list[dict[str, Any]]:
        """Return a PNS's penalty, if any (PP 94/2021 tiers; some still in force)."""
        rng = self.rng
        factor = 3.0 if trait in ("weak", "poor") else 1.0
        roll = rng.random()
        if roll < 0.0025 * factor and not structural:
            level = PenaltyLevel.BERAT
        elif roll < 0.0105 * factor:
            level = PenaltyLevel.SEDANG
        elif roll < 0.0355 * factor:
            level = PenaltyLevel.RINGAN
        else:
            return []
        earliest = max(
            career.start + dt.timedelta(days=365), self.as_of - dt.timedelta(days=6 * 365)
        )
        if earliest >= self.as_of:
            return []
        start = earliest + dt.timedelta(days=rng.randrange(0, (self.as_of - earliest).days))
        kinds = [kind for kind in PenaltyType if kind.level is level]
        if level is PenaltyLevel.BERAT:
            kinds = [kind for kind in kinds if kind is not PenaltyType.PEMBERHENTIAN]
        kind = rng.choice(kinds)
        months = {
            PenaltyType.POTONGAN_TUKIN_6: 6,
            PenaltyType.POTONGAN_TUKIN_9: 9,
            PenaltyType.POTONGAN_TUKIN_12: 12,
            PenaltyType.PENURUNAN_JABATAN: 12,
            PenaltyType.PEMBEBASAN_JABATAN: 12,
        }.get(kind)
        end = _add_months(start, months) - dt.timedelta(days=1) if months else None
        return [
            {
                "level": level.value,
                "type": kind.value,
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else None,
            }
        ]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
