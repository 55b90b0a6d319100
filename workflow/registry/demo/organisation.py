"""The demo's organisation: each agency's units and their positions, and the files that list them.

Units open in the order of the data tables as an agency grows (about one per 110 employees);
each has a head (JPT Madya for the provincial Sekda and BKN's deputies, JPT Pratama otherwise),
a secretary and division heads (Administrator), section heads (Pengawas), functional positions
of its field at every JF level, and pelaksana posts. About 10 % of structural posts (more of the
key ones) are vacant.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from rules.vocab import Competency, PositionLevel, TenantLevel
from workflow.registry.demo import data


@dataclass(slots=True)
class Position:
    """A position of a unit; ``filled`` is False for a vacant one."""

    tenant: str
    code: str
    title: str
    level: PositionLevel
    unit: str
    family: str
    is_key: bool = False
    required_fields: tuple[str, ...] = ()
    filled: bool = True


@dataclass(slots=True)
class Unit:
    """An organisational unit (*perangkat daerah*): its head, structural and functional posts."""

    code: str
    name: str
    family: str
    weight: int
    head: Position
    structural: list[Position] = field(default_factory=list)
    functional: dict[PositionLevel, list[Position]] = field(default_factory=dict)


class Organisation:
    """The units and positions of every agency for ``employees`` people, drawn from ``rng``."""

    def __init__(self, rng: random.Random, employees: int) -> None:
        self.rng = rng
        self.sizes = self._allocate(employees)
        """Employees per agency, by relative headcount."""
        self.units: dict[str, list[Unit]] = {
            tenant.code: self._build_units(tenant, self.sizes[tenant.code])
            for tenant in data.TENANTS
        }

    def _allocate(self, employees: int) -> dict[str, int]:
        total_weight = sum(tenant.weight for tenant in data.TENANTS)
        sizes = {tenant.code: employees * tenant.weight // total_weight for tenant in data.TENANTS}
        for tenant in sorted(data.TENANTS, key=lambda t: -t.weight)[
            : employees - sum(sizes.values())
        ]:
            sizes[tenant.code] += 1
        return sizes

    def _build_units(self, tenant: data.TenantDef, size: int) -> list[Unit]:
        national = tenant.level is TenantLevel.NATIONAL
        catalogue = data.NATIONAL_UNITS if national else data.REGIONAL_UNITS
        count = max(2, min(len(catalogue), round(size / 110)))
        divisions = 2 + (size > 3000) + (size > 8000)
        units = []
        for code, name, family_name, weight in catalogue[:count]:
            units.append(self._build_unit(tenant, code, name, family_name, weight, divisions))
        if national:
            units[0].structural.insert(
                0,
                Position(
                    tenant.code,
                    "KEPALA-BKN",
                    "Kepala Badan Kepegawaian Negara",
                    PositionLevel.JPT_UTAMA,
                    "Badan Kepegawaian Negara",
                    "sdm",
                    is_key=True,
                ),
            )
        return units

    def _build_unit(
        self,
        tenant: data.TenantDef,
        code: str,
        name: str,
        family_name: str,
        weight: int,
        divisions: int,
    ) -> Unit:
        rng = self.rng
        family = data.FAMILIES[family_name]
        province = tenant.level is TenantLevel.PROVINCE
        national = tenant.level is TenantLevel.NATIONAL
        if code == "SETDA":
            head_title = "Sekretaris Daerah"
            head_level = PositionLevel.JPT_MADYA if province else PositionLevel.JPT_PRATAMA
        elif code == "SETWAN":
            head_title, head_level = "Sekretaris DPRD", PositionLevel.JPT_PRATAMA
        elif code == "INSPEKTORAT":
            head_title, head_level = "Inspektur", PositionLevel.JPT_PRATAMA
        elif national and code.startswith("DEP"):
            head_title, head_level = name, PositionLevel.JPT_MADYA
        elif national and code == "SESTAMA":
            head_title, head_level = "Sekretaris Utama", PositionLevel.JPT_MADYA
        else:
            head_title, head_level = f"Kepala {name}", PositionLevel.JPT_PRATAMA
        strict_fields = family.fields if family.strict else ()
        head = Position(
            tenant.code,
            f"{code}-KEPALA",
            head_title,
            head_level,
            name,
            family_name,
            is_key=True,
            required_fields=strict_fields,
        )
        unit = Unit(code, name, family_name, weight, head, [head])
        if code == "SETDA":
            for index, area in enumerate(
                (
                    "Pemerintahan dan Kesejahteraan Rakyat",
                    "Perekonomian dan Pembangunan",
                    "Administrasi Umum",
                ),
                start=1,
            ):
                unit.structural.append(
                    Position(
                        tenant.code,
                        f"SETDA-ASISTEN{index}",
                        f"Asisten {area}",
                        PositionLevel.JPT_PRATAMA,
                        name,
                        family_name,
                        is_key=index == 1,
                    )
                )
        if national and code.startswith("DEP"):
            for index in range(1, 3):
                unit.structural.append(
                    Position(
                        tenant.code,
                        f"{code}-DIREKTUR{index}",
                        f"Direktur {family.divisions[index - 1]}",
                        PositionLevel.JPT_PRATAMA,
                        name,
                        family_name,
                        is_key=index == 1,
                    )
                )
        default_secretary = "Kepala Bagian Tata Usaha" if national else f"Sekretaris {name}"
        secretary = data.SECRETARY.get(code, default_secretary)
        unit.structural.append(
            Position(
                tenant.code,
                f"{code}-SEKRETARIS",
                secretary,
                PositionLevel.ADMINISTRATOR,
                name,
                family_name,
                is_key=family.strict,
            )
        )
        unit.structural.append(
            Position(
                tenant.code,
                f"{code}-KASUBBAG1",
                "Kepala Subbagian Umum dan Kepegawaian",
                PositionLevel.PENGAWAS,
                name,
                family_name,
            )
        )
        for index, division in enumerate(family.divisions[:divisions], start=1):
            required = strict_fields if rng.random() < 0.5 else ()
            unit.structural.append(
                Position(
                    tenant.code,
                    f"{code}-KABID{index}",
                    f"Kepala Bidang {division}",
                    PositionLevel.ADMINISTRATOR,
                    name,
                    family_name,
                    is_key=index == 1,
                    required_fields=required,
                )
            )
            for section in range(1, 2 + (rng.random() < 0.4)):
                unit.structural.append(
                    Position(
                        tenant.code,
                        f"{code}-KASI{index}{section}",
                        f"Kepala Seksi {division} {'I' * section}",
                        PositionLevel.PENGAWAS,
                        name,
                        family_name,
                    )
                )
        for position in unit.structural[1:]:
            position.filled = rng.random() >= (0.18 if position.is_key else 0.08)
        self._add_functional(tenant, unit, family)
        return unit

    def _add_functional(self, tenant: data.TenantDef, unit: Unit, family: data.Family) -> None:
        senior = tenant.level is not TenantLevel.REGENCY and tenant.level is not TenantLevel.CITY
        for jf_code, jf_title in family.functional:
            for level, suffix, label in data.JF_LEVELS:
                if level is PositionLevel.JF_AHLI_UTAMA and not senior:
                    continue
                unit.functional.setdefault(level, []).append(
                    Position(
                        tenant.code,
                        f"{unit.code}-{jf_code}-{suffix}",
                        f"{jf_title} {label}",
                        level,
                        unit.name,
                        unit.family,
                    )
                )
        if family.skilled:
            jf_code, jf_title = family.skilled
            unit.functional.setdefault(PositionLevel.JF_KETERAMPILAN, []).append(
                Position(
                    tenant.code,
                    f"{unit.code}-{jf_code}-T",
                    f"{jf_title} Terampil",
                    PositionLevel.JF_KETERAMPILAN,
                    unit.name,
                    unit.family,
                )
            )
        for code, title in data.PELAKSANA:
            unit.functional.setdefault(PositionLevel.PELAKSANA, []).append(
                Position(
                    tenant.code,
                    f"{unit.code}-PLK-{code}",
                    title,
                    PositionLevel.PELAKSANA,
                    unit.name,
                    unit.family,
                )
            )

    def tenant_rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the rows of ``tenants.csv``."""
        for tenant in data.TENANTS:
            yield (tenant.code, tenant.name, tenant.level.value, tenant.parent)

    def _positions(self) -> Iterator[Position]:
        for tenant in data.TENANTS:
            for unit in self.units[tenant.code]:
                yield from unit.structural
                for level in sorted(unit.functional, key=list(PositionLevel).index):
                    yield from unit.functional[level]

    def position_rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the rows of ``positions.csv``."""
        for position in self._positions():
            yield (
                position.tenant,
                position.code,
                position.title,
                position.level.value,
                position.unit,
                position.is_key,
                "|".join(position.required_fields) or None,
            )

    def competency_rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the rows of ``position_competencies.csv``: the 8 + 1 and one technical."""
        for position in self._positions():
            standard = data.STANDARD[position.level]
            for competency in Competency:
                yield (position.tenant, position.code, competency.value, standard)
            technical = min(5, standard + 1) if position.level.kind.value != "jpt" else standard
            yield (
                position.tenant,
                position.code,
                f"teknis:{data.FAMILIES[position.family].technical}",
                technical,
            )
