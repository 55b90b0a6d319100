"""The Banten demo data: deterministic, and shaped like the domain (levels, shares, pools)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from rules.vocab import EducationLevel, PositionLevel, Predicate, Rank
from workflow.registry.demo import write_demo_files
from workflow.registry.nip import check_nip

AS_OF = dt.date(2026, 6, 30)
EMPLOYEES = 1500


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    write_demo_files(directory, employees=EMPLOYEES, seed=42, as_of=AS_OF)
    return directory


def rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_demo_files(tmp_path / "a", employees=120, seed=5, as_of=AS_OF)
    second = write_demo_files(tmp_path / "b", employees=120, seed=5, as_of=AS_OF)
    other = write_demo_files(tmp_path / "c", employees=120, seed=6, as_of=AS_OF)
    names = sorted(path.name for path in first.files)
    assert names == sorted(path.name for path in second.files)
    for name in names:
        assert (first.directory / name).read_bytes() == (second.directory / name).read_bytes()
    assert (first.directory / "employees.csv").read_bytes() != (
        other.directory / "employees.csv"
    ).read_bytes()


@pytest.mark.parametrize("employees", [1, 7, 30, 101])
def test_exactly_the_requested_number_of_employees(tmp_path: Path, employees: int) -> None:
    files = write_demo_files(tmp_path, employees=employees, seed=1, as_of=AS_OF)
    assert files.employees == employees
    assert len(rows(tmp_path, "employees.csv")) == employees


def test_json_lines_carry_the_same_people(tmp_path: Path) -> None:
    as_csv = write_demo_files(tmp_path / "csv", employees=80, seed=9, as_of=AS_OF)
    as_json = write_demo_files(
        tmp_path / "json", employees=80, seed=9, as_of=AS_OF, file_format="jsonl"
    )
    assert as_json.rows == as_csv.rows
    profiles = [
        json.loads(line)
        for line in (as_json.directory / "employees.jsonl").read_text().splitlines()
    ]
    assert [p["nip"] for p in profiles] == [
        r["nip"] for r in rows(as_csv.directory, "employees.csv")
    ]


def test_banten_tenants_form_the_hierarchy(demo: Path) -> None:
    tenants = {row["code"]: row for row in rows(demo, "tenants.csv")}
    assert tenants["BKN"]["level"] == "national"
    assert tenants["BANTEN"] == {
        "code": "BANTEN",
        "name": "Pemerintah Provinsi Banten",
        "level": "province",
        "parent_code": "BKN",
    }
    regions = {code for code, row in tenants.items() if row["parent_code"] == "BANTEN"}
    assert regions == {
        "KAB-SERANG",
        "KAB-PANDEGLANG",
        "KAB-LEBAK",
        "KAB-TANGERANG",
        "KOTA-TANGERANG",
        "KOTA-CILEGON",
        "KOTA-SERANG",
        "KOTA-TANGSEL",
    }


def test_positions_exist_at_every_level_with_standards_and_vacancies(demo: Path) -> None:
    positions = rows(demo, "positions.csv")
    assert {row["level"] for row in positions} == {level.value for level in PositionLevel}
    standards = Counter(
        (row["tenant_code"], row["position_code"])
        for row in rows(demo, "position_competencies.csv")
    )
    assert set(standards.values()) == {10}
    assert len(standards) == len(positions)
    held = {(row["tenant_code"], row["position_code"]) for row in rows(demo, "employees.csv")}
    key_vacancies = [
        row
        for row in positions
        if row["is_key"] == "true" and (row["tenant_code"], row["code"]) not in held
    ]
    assert key_vacancies


def test_every_nip_agrees_with_its_holder(demo: Path) -> None:
    employees = rows(demo, "employees.csv")
    assert len(employees) == EMPLOYEES
    assert len({row["nip"] for row in employees}) == EMPLOYEES
    for row in employees:
        result = check_nip(
            row["nip"],
            birth_date=dt.date.fromisoformat(row["birth_date"]),
            gender=row["gender"],
            employment_type=row["employment_type"],
            today=AS_OF,
        )
        assert result.ok, (row["nip"], result.problems)


def test_shares_follow_the_domain(demo: Path) -> None:
    employees = rows(demo, "employees.csv")
    pppk = sum(row["employment_type"] == "PPPK" for row in employees) / len(employees)
    assert 0.2 < pppk < 0.4
    predicates = Counter(row["predicate"] for row in rows(demo, "performance.csv"))
    total = sum(predicates.values())
    assert 0.6 < predicates[Predicate.BAIK] / total < 0.8
    assert 0.1 < predicates[Predicate.SANGAT_BAIK] / total < 0.25
    below = sum(predicates[p] for p in ("Butuh Perbaikan", "Kurang", "Sangat Kurang"))
    assert 0.05 < below / total < 0.2
    assessed = {row["nip"] for row in rows(demo, "assessments.csv")}
    assert len(assessed) / len(employees) > 0.5
    tiers = Counter(row["level"] for row in rows(demo, "penalties.csv"))
    assert set(tiers) == {"ringan", "sedang", "berat"}
    assert tiers["ringan"] > tiers["sedang"] > tiers["berat"]


BOUNDS = {
    "pengawas": (Rank.III_B, Rank.IV_A),
    "administrator": (Rank.III_D, Rank.IV_B),
    "jpt_pratama": (Rank.IV_A, Rank.IV_C),
    "jpt_madya": (Rank.IV_C, Rank.IV_E),
    "jf_ahli_pertama": (Rank.III_A, Rank.III_B),
    "jf_ahli_muda": (Rank.III_C, Rank.III_D),
    "jf_ahli_madya": (Rank.IV_A, Rank.IV_C),
    "jf_ahli_utama": (Rank.IV_D, Rank.IV_E),
}
"""Eselon tables and JF jenjang; a pengawas with a master's may hold IV/a by regular promotion."""


def test_ranks_fit_position_levels(demo: Path) -> None:
    levels = {
        (row["tenant_code"], row["code"]): row["level"] for row in rows(demo, "positions.csv")
    }
    for row in rows(demo, "employees.csv"):
        if row["employment_type"] == "PPPK":
            assert row["rank"] == ""
            continue
        level = levels[(row["tenant_code"], row["position_code"])]
        if level in BOUNDS:
            low, high = BOUNDS[level]
            assert low.ordinal <= Rank(row["rank"]).ordinal <= high.ordinal, row


def test_every_promotion_level_has_eligible_people_in_the_province(demo: Path) -> None:
    employees = {row["nip"]: row for row in rows(demo, "employees.csv")}
    education: dict[str, int] = defaultdict(int)
    for row in rows(demo, "education.csv"):
        education[row["nip"]] = max(education[row["nip"]], EducationLevel(row["level"]).ordinal)
    current: dict[str, dict[str, str]] = {
        row["nip"]: row for row in rows(demo, "position_history.csv") if not row["end_date"]
    }
    predicates: dict[str, list[str]] = defaultdict(list)
    for row in rows(demo, "performance.csv"):
        predicates[row["nip"]].append(row["predicate"])

    def eligible(nip: str, levels: set[str], years: float, rank: Rank, degree: str) -> bool:
        person, post = employees[nip], current[nip]
        tenure = (AS_OF - dt.date.fromisoformat(post["start_date"])).days / 365.25
        good = all(p in ("Baik", "Sangat Baik") for p in predicates[nip][-2:])
        return (
            person["tenant_code"] == "BANTEN"
            and person["employment_type"] == "PNS"
            and post["level"] in levels
            and tenure >= years
            and Rank(person["rank"]).ordinal >= rank.ordinal
            and education[nip] >= EducationLevel(degree).ordinal
            and good
        )

    pools = {
        "pengawas": sum(
            eligible(n, {"pelaksana", "jf_ahli_pertama", "jf_keterampilan"}, 4, Rank.III_B, "D-III")
            for n in employees
        ),
        "administrator": sum(
            eligible(n, {"pengawas", "jf_ahli_muda"}, 3, Rank.III_D, "S1") for n in employees
        ),
        "jpt_pratama": sum(
            eligible(n, {"administrator", "jf_ahli_madya"}, 2, Rank.IV_A, "S1") for n in employees
        ),
        "jpt_madya": sum(
            eligible(n, {"jpt_pratama", "jf_ahli_utama"}, 2, Rank.IV_C, "S1") for n in employees
        ),
    }
    assert all(size >= 2 for size in pools.values()), pools


def test_structural_staff_carry_their_documents(demo: Path) -> None:
    structural = {
        (row["tenant_code"], row["code"])
        for row in rows(demo, "positions.csv")
        if row["level"] in ("jpt_madya", "jpt_pratama", "administrator", "pengawas")
    }
    holders = [
        row
        for row in rows(demo, "employees.csv")
        if (row["tenant_code"], row["position_code"]) in structural
    ]
    with_lhkpn = sum(bool(row["lhkpn_year"]) for row in holders)
    assert with_lhkpn / len(holders) > 0.8
