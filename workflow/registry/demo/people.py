"""The demo's people: who holds which post, and each one's profile (the JSON profile shape).

Every agency's filled structural posts get a PNS holder (up to two fifths of its headcount);
the rest are drawn into the functional and pelaksana posts of its units, by unit weight, about
a third of them PPPK. A profile puts together a career (:mod:`.careers`), a NIP that encodes
birth date, appointment and gender, a name with the degrees of the education (which fits the
post: D-III for Pengawas, S1 for Administrator and up, many with S2), LHKPN and health
documents (mostly for structural staff) and the service records (:mod:`.history`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from rules.vocab import PositionLevel
from workflow.registry.demo import data
from workflow.registry.demo.careers import Career, Careers
from workflow.registry.demo.history import History
from workflow.registry.demo.organisation import Organisation, Position, Unit
from workflow.registry.nip import PPPK_MARKER


class People:
    """Draws the employees of ``organisation`` from ``rng``, their records ending at ``as_of``."""

    def __init__(self, rng: random.Random, as_of: dt.date, organisation: Organisation) -> None:
        self.rng = rng
        self.as_of = as_of
        self.organisation = organisation
        self.careers = Careers(rng, as_of, organisation)
        self.history = History(rng, as_of)
        self._nips: set[str] = set()

    def profiles(self) -> Iterator[dict[str, Any]]:
        """Yield every employee profile (the JSON profile shape), tenant by tenant."""
        for tenant in data.TENANTS:
            size = self.organisation.sizes[tenant.code]
            units = self.organisation.units[tenant.code]
            holders = [
                position for unit in units for position in unit.structural if position.filled
            ][: max(1, size * 2 // 5) if size else 0]
            for position in holders:
                yield self._person(tenant, position, pns=True)
            weights = [unit.weight for unit in units]
            for _ in range(size - len(holders)):
                unit = self.rng.choices(units, weights)[0]
                pns = self.rng.random() >= 0.33
                level = self._functional_level(pns, unit)
                position = self.rng.choice(unit.functional[level])
                yield self._person(tenant, position, pns=pns)

    def _functional_level(self, pns: bool, unit: Unit) -> PositionLevel:
        options: tuple[tuple[PositionLevel, int], ...]
        if pns:
            options = (
                (PositionLevel.PELAKSANA, 40),
                (PositionLevel.JF_KETERAMPILAN, 10),
                (PositionLevel.JF_AHLI_PERTAMA, 15),
                (PositionLevel.JF_AHLI_MUDA, 19),
                (PositionLevel.JF_AHLI_MADYA, 13),
                (PositionLevel.JF_AHLI_UTAMA, 3),
            )
        else:
            options = (
                (PositionLevel.JF_AHLI_PERTAMA, 45),
                (PositionLevel.JF_KETERAMPILAN, 25),
                (PositionLevel.PELAKSANA, 25),
                (PositionLevel.JF_AHLI_MUDA, 5),
            )
        available = [(level, weight) for level, weight in options if level in unit.functional]
        levels = [level for level, _ in available]
        chosen: PositionLevel = self.rng.choices(levels, [weight for _, weight in available])[0]
        return chosen

    def _person(self, tenant: data.TenantDef, position: Position, *, pns: bool) -> dict[str, Any]:
        rng = self.rng
        structural = position.level.kind.value != "fungsional" and (
            position.level is not PositionLevel.PELAKSANA
        )
        male = rng.random() < (0.68 if structural else 0.46)
        trait = rng.choices(
            ("star", "solid", "weak", "poor"),
            (0.25, 0.68, 0.06, 0.01) if structural else (0.15, 0.70, 0.11, 0.04),
        )[0]
        career = self.careers.pns(position) if pns else self.careers.pppk(position)
        education, degrees = self._education(career, position)
        gender = "M" if male else "F"
        nip = self._nip(career, gender, pns)
        profile: dict[str, Any] = {
            "nip": nip,
            "name": self._name(male, degrees),
            "birth_date": career.birth.isoformat(),
            "gender": gender,
            "tenant_code": tenant.code,
            "employment_type": "PNS" if pns else "PPPK",
            "rank": None,
            "rank_tmt": None,
            "position_code": position.code,
            "lhkpn_year": None,
            "health_certificate_date": None,
            "disciplinary_case_pending": rng.random() < 0.003,
        }
        if pns:
            rank, rank_tmt = self.careers.rank(career, position, education[-1]["level"])
            profile["rank"], profile["rank_tmt"] = rank, rank_tmt.isoformat()
        self._documents(profile, position, structural)
        profile["education"] = education
        profile["position_history"] = [
            {
                "title": segment.title,
                "level": segment.level.value,
                "unit": segment.unit,
                "start_date": segment.start.isoformat(),
                "end_date": segment.end.isoformat() if segment.end else None,
            }
            for segment in career.segments
        ]
        history = self.history
        profile["trainings"] = history.trainings(career) if pns else []
        profile["performance"] = history.performance(career, trait)
        profile["assessments"] = history.assessments(career, position, trait, structural, pns)
        profile["penalties"] = history.penalties(career, trait, structural) if pns else []
        return profile

    def _nip(self, career: Career, gender: str, pns: bool) -> str:
        middle = (
            f"{career.start.year:04d}{career.start.month:02d}"
            if pns
            else f"{career.start.year:04d}{PPPK_MARKER}"
        )
        prefix = f"{career.birth:%Y%m%d}{middle}{1 if gender == 'M' else 2}"
        while True:
            nip = f"{prefix}{self.rng.randrange(1, 1000):03d}"
            if nip not in self._nips:
                self._nips.add(nip)
                return nip

    def _education(
        self, career: Career, position: Position
    ) -> tuple[list[dict[str, Any]], list[str]]:
        rng = self.rng
        family = data.FAMILIES[position.family]
        field_name = (
            rng.choice(family.fields)
            if rng.random() < 0.8
            else rng.choice(data.FAMILIES[rng.choice(list(data.FAMILIES))].fields)
        )
        birth = career.birth.year
        rows: list[dict[str, Any]] = []
        degrees: list[str] = []
        degree = career.degree
        if degree == "SMA":
            rows.append(self._school("SMA", rng.choice(("IPA", "IPS")), birth + 18, position))
        if degree in ("D-III",):
            rows.append(
                self._school(
                    "D-III",
                    rng.choice(data.DIPLOMA_FIELDS),
                    birth + 21,
                    position,
                    data.POLYTECHNICS,
                )
            )
            degrees.append("A.Md.")
        if degree in ("S1", "D-IV", "S2"):
            level = "D-IV" if degree == "D-IV" else "S1"
            institution = "Institut Pemerintahan Dalam Negeri" if level == "D-IV" else None
            graduated = birth + rng.randint(22, 24)
            graduated = min(graduated, career.start.year)
            rows.append(
                self._school(level, field_name, graduated, position, institution=institution)
            )
            degrees.append("S.STP" if level == "D-IV" else family.degree)
        if degree == "S2":
            rows.append(self._school("S2", field_name, rows[-1]["year"] + 2, position))
            degrees.append(family.master_degree)
        later = data.LATER_MASTER.get(position.level, 0.1)
        start_year = career.start.year
        if degree == "D-III" and position.level not in (
            PositionLevel.PELAKSANA,
            PositionLevel.JF_KETERAMPILAN,
        ):
            year = min(self.as_of.year - 1, start_year + rng.randint(2, 6))
            rows.append(self._school("S1", field_name, max(year, rows[-1]["year"] + 2), position))
            degrees = [family.degree]
        if degree != "S2" and rows[-1]["level"] in ("S1", "D-IV") and rng.random() < later:
            year = start_year + rng.randint(3, 12)
            if year < self.as_of.year:
                rows.append(
                    self._school("S2", field_name, max(year, rows[-1]["year"] + 2), position)
                )
                degrees.append(family.master_degree)
        if rows[-1]["level"] == "S2" and position.level in data.DOCTORATE and rng.random() < 0.12:
            year = rows[-1]["year"] + rng.randint(3, 8)
            if year < self.as_of.year:
                rows.append(self._school("S3", field_name, year, position))
                degrees.append("Dr.")
        for row in rows:
            row["year"] = min(row["year"], self.as_of.year)
        return rows, degrees

    def _school(
        self,
        level: str,
        field_name: str,
        year: int,
        position: Position,
        institutions: Sequence[str] | None = None,
        *,
        institution: str | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        if institution is None:
            if level == "SMA":
                place = next(t.place for t in data.TENANTS if t.code == position.tenant)
                institution = f"SMA Negeri {rng.randint(1, 12)} {place}"
            else:
                institution = rng.choice(institutions or data.UNIVERSITIES)
        return {"level": level, "field": field_name, "year": year, "institution": institution}

    def _name(self, male: bool, degrees: list[str]) -> str:
        rng = self.rng
        first = rng.choice(data.MALE_NAMES if male else data.FEMALE_NAMES)
        last = rng.choice(data.MALE_SURNAMES if male else data.FEMALE_SURNAMES)
        name = f"{first} {last}"
        if rng.random() < 0.03:
            name = f"{'Tb.' if male else 'Ratu'} {name}"
        if "Dr." in degrees:
            name = f"Dr. {name}"
        suffixes = [degree for degree in degrees if degree != "Dr."]
        return ", ".join([name, *suffixes])

    def _documents(self, profile: dict[str, Any], position: Position, structural: bool) -> None:
        rng = self.rng
        senior = position.level in (PositionLevel.JF_AHLI_MADYA, PositionLevel.JF_AHLI_UTAMA)
        if structural or (senior and rng.random() < 0.4):
            roll = rng.random()
            if roll < 0.8:
                profile["lhkpn_year"] = self.as_of.year
            elif roll < 0.92:
                profile["lhkpn_year"] = self.as_of.year - 1
        if rng.random() < (0.6 if structural else 0.3 if senior else 0.08):
            profile["health_certificate_date"] = (
                self.as_of - dt.timedelta(days=rng.randrange(0, 540))
            ).isoformat()
