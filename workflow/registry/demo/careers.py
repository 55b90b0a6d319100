"""The demo's careers: the positions a person held, built backwards from the current one, and ranks.

A PNS career runs back from the current post with the minimum tenures of PP 11/2017 (≥ 4 years
before *pengawas*, ≥ 3 as *pengawas* before *administrator*, ≥ 2 before JPT), so every
promotion level has a realistic pool of eligible people; the entry age follows the education
and the retirement age caps the length. A PPPK was appointed 2021 onwards to the post held now.
Ranks follow education (entry rank, a regular promotion every four years up to the education's
ceiling) and the range of the post.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from rules.vocab import PositionLevel, Rank
from workflow.registry.demo import data
from workflow.registry.demo.organisation import Organisation, Position
from workflow.registry.nip import eighteenth_birthday


@dataclass(frozen=True, slots=True)
class Segment:
    """One position held, from ``start`` to ``end`` (None: held now)."""

    title: str
    level: PositionLevel
    unit: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class Career:
    """A career: its appointment, the holder's birth and entry education, the positions held."""

    start: dt.date
    """TMT CPNS, or the PPPK appointment."""
    birth: dt.date
    degree: str
    """Education at entry."""
    segments: list[Segment]


class Careers:
    """Draws careers and ranks from ``rng``, ending at ``as_of``, in ``organisation``'s units."""

    def __init__(self, rng: random.Random, as_of: dt.date, organisation: Organisation) -> None:
        self.rng = rng
        self.as_of = as_of
        self.organisation = organisation

    def pns(self, position: Position) -> Career:
        """Return the career of a PNS now in ``position``, built backwards from it."""
        rng = self.rng
        level = position.level
        ladder = data.LADDER.get(level)
        segments: list[tuple[PositionLevel, float]] = []
        if ladder is not None:
            current, earlier = ladder
            segments.append((level, rng.uniform(*current)))
            for step_level, span in earlier:
                segments.append((step_level, rng.uniform(*span)))
        elif level is PositionLevel.PELAKSANA:
            segments.append((level, rng.uniform(0.5, 30.0)))
        else:
            jf = [lv for lv, _, _ in data.JF_LEVELS]
            if level is PositionLevel.JF_KETERAMPILAN:
                segments.append((level, rng.uniform(0.5, 25.0)))
            else:
                index = jf.index(level)
                segments.append((level, rng.uniform(0.3, 10.0)))
                for earlier_level in reversed(jf[:index]):
                    segments.append((earlier_level, rng.uniform(4.0, 8.0)))
        segments.reverse()
        service = sum(years for _, years in segments)
        degree = self._entry_degree(level)
        low, high = data.ENTRY_AGE[degree]
        retirement = data.RETIREMENT_AGE.get(level, 58) - 0.7
        entry_age = min(rng.uniform(low, high), retirement - service)
        if entry_age < low:
            first_level, first_years = segments[0]
            shrink = low - entry_age
            segments[0] = (first_level, max(1.0, first_years - shrink))
            entry_age = low
        service = sum(years for _, years in segments)
        start = self._month_start(self.as_of - _years(service), months=(1, 3, 4, 12))
        birth = self._birth(start, entry_age)
        return self._segments(position, start, birth, degree, segments)

    def pppk(self, position: Position) -> Career:
        """Return the career of a PPPK now in ``position`` (appointed 2021 onwards)."""
        rng = self.rng
        years = [
            year for year in range(2021, self.as_of.year + 1) if dt.date(year, 3, 1) <= self.as_of
        ]
        weights = [(10, 20, 25, 25, 20, 10)[min(i, 5)] for i in range(len(years))]
        year = rng.choices(years, weights)[0]
        months = [m for m in (3, 4, 10) if dt.date(year, m, 1) <= self.as_of] or [1]
        start = dt.date(year, rng.choice(months), 1)
        degree = self._entry_degree(position.level)
        age = rng.uniform(max(data.ENTRY_AGE[degree][0], 22.0), 45.0)
        birth = self._birth(start, age)
        return self._segments(position, start, birth, degree, [(position.level, 0.0)])

    def rank(self, career: Career, position: Position, highest: str) -> tuple[str, dt.date]:
        """Return a PNS's rank and its TMT: by service years, education and the post's range."""
        service = (self.as_of - career.start).days / 365.25
        entry = Rank(data.ENTRY_RANK[career.degree]).ordinal
        delay = self.rng.uniform(0.0, 1.5)
        natural = entry + max(0, int((service - delay) // 4))
        ceiling = Rank(data.RANK_CEILING[highest]).ordinal
        bounds = data.RANK_RANGE.get(position.level)
        if bounds is not None:
            low, high = Rank(bounds[0]).ordinal, Rank(bounds[1]).ordinal
            if position.level.kind.value == "fungsional":
                ordinal = min(max(natural, low), high)
            else:
                ordinal = min(max(natural, low), max(ceiling, high))
        else:
            ordinal = min(natural, max(ceiling, entry))
        steps = ordinal - entry
        if steps <= 0:
            return Rank.from_ordinal(ordinal).value, career.start
        reached = min(
            career.start + _years(4 * steps),
            self.as_of - dt.timedelta(days=self.rng.randrange(30, 1400)),
        )
        if reached.month >= 10:
            tmt = dt.date(reached.year, 10, 1)
        elif reached.month >= 4:
            tmt = dt.date(reached.year, 4, 1)
        else:
            tmt = dt.date(reached.year - 1, 10, 1)
        return Rank.from_ordinal(ordinal).value, max(career.start, tmt)

    def _entry_degree(self, level: PositionLevel) -> str:
        rng = self.rng
        if level is PositionLevel.PELAKSANA:
            return rng.choices(("SMA", "D-III", "S1"), (40, 25, 35))[0]
        if level is PositionLevel.JF_KETERAMPILAN:
            return rng.choices(("SMA", "D-III"), (15, 85))[0]
        if level is PositionLevel.PENGAWAS:
            return rng.choices(("D-III", "S1", "D-IV", "S2"), (20, 65, 10, 5))[0]
        if level.kind.value == "fungsional":
            return rng.choices(("S1", "D-IV", "S2"), (80, 8, 12))[0]
        return rng.choices(("D-III", "S1", "D-IV", "S2"), (8, 72, 14, 6))[0]

    def _segments(
        self,
        position: Position,
        start: dt.date,
        birth: dt.date,
        degree: str,
        spans: list[tuple[PositionLevel, float]],
    ) -> Career:
        unit_family = position.family
        segments: list[Segment] = []
        begin = start
        for index, (level, years) in enumerate(spans):
            last = index == len(spans) - 1
            if last:
                title, unit = position.title, position.unit
            else:
                title, unit = self._past_title(level, unit_family, position)
            end = None if last else self._month_start(begin + _years(years), months=None)
            if end is not None and end <= begin:
                end = begin + dt.timedelta(days=31)
            segments.append(
                Segment(title, level, unit, begin, end - dt.timedelta(days=1) if end else None)
            )
            if end is not None:
                begin = end
        if segments[-1].start > self.as_of:
            last_segment = segments[-1]
            segments[-1] = Segment(
                last_segment.title, last_segment.level, last_segment.unit, self.as_of, None
            )
        return Career(start, birth, degree, segments)

    def _past_title(self, level: PositionLevel, family: str, current: Position) -> tuple[str, str]:
        rng = self.rng
        units = self.organisation.units[current.tenant]
        unit = (
            rng.choice(units)
            if rng.random() < 0.35
            else next((u for u in units if u.name == current.unit), units[0])
        )
        if level is PositionLevel.PELAKSANA:
            return rng.choice(data.PELAKSANA)[1], unit.name
        if level is PositionLevel.PENGAWAS:
            division = rng.choice(data.FAMILIES[unit.family].divisions)
            return f"Kepala Seksi {division}", unit.name
        if level is PositionLevel.ADMINISTRATOR:
            division = rng.choice(data.FAMILIES[unit.family].divisions)
            return f"Kepala Bidang {division}", unit.name
        if level is PositionLevel.JPT_PRATAMA:
            return f"Kepala {unit.name}", unit.name
        if level is PositionLevel.JPT_MADYA:
            if current.tenant == "BKN":
                return unit.name, unit.name
            return "Sekretaris Daerah", "Sekretariat Daerah"
        jf_title = data.FAMILIES[family].functional[0][1]
        label = next(label for lv, _, label in data.JF_LEVELS if lv is level)
        return f"{jf_title} {label}", current.unit

    def _birth(self, start: dt.date, age: float) -> dt.date:
        birth = start - _years(age) - dt.timedelta(days=self.rng.randrange(0, 28))
        if eighteenth_birthday(birth) > start:
            birth = dt.date(start.year - 19, start.month, 1)
        return birth

    def _month_start(self, day: dt.date, months: tuple[int, ...] | None) -> dt.date:
        candidate = dt.date(day.year, day.month, 1)
        if months:
            while candidate.month not in months:
                candidate = dt.date(
                    candidate.year - (candidate.month == 1), (candidate.month - 2) % 12 + 1, 1
                )
        return min(candidate, dt.date(self.as_of.year, self.as_of.month, 1))


def _years(years: float) -> dt.timedelta:
    return dt.timedelta(days=round(years * 365.25))
