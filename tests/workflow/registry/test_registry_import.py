"""The registry import on both databases: bad input is located and changes nothing; re-imports are
idempotent; changed employees are replaced; CSV and JSON give the same digest."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.schemas.registry_import import RegistryRowValidator
from tests.support.registry_files import (
    AHMAD,
    DEDI,
    NOW,
    SITI,
    TODAY,
    VALID_ROWS,
    VALID_SET,
    line_of,
    replace_line,
    table_counts,
    write_set,
)
from workflow.core.db import Database
from workflow.ledger import chain as ledger
from workflow.models import Assessment, Employee, LedgerEntry, PerformanceRating, Position, Tenant
from workflow.registry.demo import write_demo_files
from workflow.registry.importing import (
    ImportRejected,
    ImportReport,
    collect_files,
    import_registry,
    read,
)
from workflow.registry.importing.formats import ImportFile
from workflow.registry.importing.write import Writer
from workflow.registry.records import RecordType

VALIDATOR = RegistryRowValidator()
EMPTY = {
    "tenant": 0,
    "position": 0,
    "position_competency": 0,
    "employee": 0,
    "education": 0,
    "position_history": 0,
    "training": 0,
    "performance": 0,
    "assessment": 0,
    "assessment_score": 0,
    "penalty": 0,
}

Problem = tuple[str, int | None, str | None, str]


def run(db: Database, *paths: Path, **options: Any) -> ImportReport:
    options.setdefault("today", TODAY)
    return import_registry(
        db, files=collect_files(list(paths)), validator=VALIDATOR, now=NOW, **options
    )


def rejected(db: Database, directory: Path, **options: Any) -> tuple[list[Problem], ImportReport]:
    with pytest.raises(ImportRejected) as caught:
        run(db, directory, **options)
    report = caught.value.report
    return [(p.file, p.row, p.field, p.message) for p in report.problems], report


def digests(db: Database) -> dict[str, str]:
    with db.read() as session:
        rows = session.execute(select(Employee.nip, Employee.record_digest)).all()
        return {row.nip: row.record_digest for row in rows}


def ledger_bodies(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        return [
            json.loads(b)
            for b in session.scalars(
                select(LedgerEntry.body).order_by(LedgerEntry.tenant_id, LedgerEntry.seq)
            )
        ]


# ---------------------------------------------------------------- accepted imports


def test_an_import_is_recorded_in_the_top_level_agencys_ledger(
    database: Database, tmp_path: Path
) -> None:
    first = run(database, write_set(tmp_path / "set"), actor="user:4")
    again = run(database, write_set(tmp_path / "set"))
    entries = ledger_bodies(database)
    assert [e["kind"] for e in entries] == ["registry.import", "registry.import"]
    assert {e["tenant"] for e in entries} == {"BKN"}
    assert entries[0]["actor"] == "user:4"
    assert entries[1]["actor"] is None
    assert entries[0]["data"]["employees"] == first.employees.as_dict()
    assert entries[1]["data"]["employees"] == again.employees.as_dict()
    assert {f["sha256"] for f in entries[0]["data"]["files"]} == {f.sha256 for f in first.files}
    assert ledger.verify(database).ok


def test_a_valid_set_is_written_whole(database: Database, tmp_path: Path) -> None:
    report = run(database, write_set(tmp_path / "set"))
    assert report.ok
    assert (report.tenants.created, report.positions.created, report.employees.created) == (3, 2, 3)
    assert report.total_rows_read == VALID_ROWS
    assert report.rows_written == VALID_ROWS
    assert report.rows_read["assessment_score"] == 3
    assert table_counts(database) == {
        "tenant": 3,
        "position": 2,
        "position_competency": 3,
        "employee": 3,
        "education": 4,
        "position_history": 6,
        "training": 2,
        "performance": 4,
        "assessment": 2,
        "assessment_score": 3,
        "penalty": 1,
    }
    with database.read() as session:
        ahmad = session.scalars(select(Employee).where(Employee.nip == AHMAD)).one()
        assert ahmad.tenant.code == "KOTA-SERANG"
        assert ahmad.tenant.parent is not None
        assert ahmad.tenant.parent.code == "BANTEN"
        assert ahmad.position is not None
        assert ahmad.position.code == "BKPSDM-ASDM-AM"
        assert (ahmad.rank, str(ahmad.rank_tmt)) == ("III/c", "2018-04-01")
        assert [p.predicate for p in ahmad.performance] == ["Baik", "Sangat Baik"]
        assert [(s.competency, s.level) for s in ahmad.assessments[0].scores] == [
            ("integritas", 3),
            ("kerja_sama", 3),
        ]
        assert str(ahmad.assessments[0].jpm) == "86.50"
        assert len(ahmad.record_digest) == 64
        siti = session.scalars(select(Employee).where(Employee.nip == SITI)).one()
        assert (siti.employment_type, siti.rank, siti.disciplinary_case_pending) == (
            "PPPK",
            None,
            False,
        )
        head = session.scalars(select(Position).where(Position.code == "BKPSDM-KEPALA")).one()
        assert head.is_key
        assert head.required_education_fields == ["Administrasi Negara", "Manajemen"]
        assert {c.competency: c.required_level for c in head.competencies} == {
            "integritas": 4,
            "teknis:manajemen_sdm_aparatur": 4,
        }


def test_the_report_hashes_every_file_and_is_json_ready(database: Database, tmp_path: Path) -> None:
    directory = write_set(tmp_path / "set")
    report = run(database, directory)
    by_name = {file.name: file for file in report.files}
    content = (directory / "employees.csv").read_bytes()
    assert by_name["employees.csv"].sha256 == hashlib.sha256(content).hexdigest()
    assert by_name["employees.csv"].bytes == len(content)
    assert by_name["employees.csv"].rows == 3
    assert [file.name for file in report.files][:4] == [
        "tenants.csv",
        "positions.csv",
        "position_competencies.csv",
        "employees.csv",
    ]
    assert json.loads(json.dumps(report.as_dict()))["employees"] == {
        "created": 3,
        "changed": 0,
        "unchanged": 0,
    }


def test_reimporting_the_same_data_writes_nothing(database: Database, tmp_path: Path) -> None:
    directory = write_set(tmp_path / "set")
    run(database, directory)
    with database.read() as session:
        before = [tuple(row) for row in session.execute(select(Employee.nip, Employee.updated_at))]
    again = run(database, directory)
    assert (again.employees.created, again.employees.changed, again.employees.unchanged) == (
        0,
        0,
        3,
    )
    assert (again.tenants.unchanged, again.positions.unchanged) == (3, 2)
    assert again.rows_written == 0
    with database.read() as session:
        after = [tuple(row) for row in session.execute(select(Employee.nip, Employee.updated_at))]
        assert after == before


def test_a_changed_employee_is_updated_and_its_records_replaced(
    database: Database, tmp_path: Path
) -> None:
    run(database, write_set(tmp_path / "first"))
    with database.read() as session:
        dedi_assessment = session.scalars(
            select(Assessment.id).join(Employee).where(Employee.nip == DEDI)
        ).one()
    old = digests(database)
    changed = write_set(
        tmp_path / "second",
        {"performance.csv": replace_line("performance.csv", 3, f"{AHMAD},2025,Baik")},
    )
    report = run(database, changed)
    assert (report.employees.created, report.employees.changed, report.employees.unchanged) == (
        0,
        1,
        2,
    )
    new = digests(database)
    assert new[AHMAD] != old[AHMAD]
    assert {nip: new[nip] for nip in (DEDI, SITI)} == {nip: old[nip] for nip in (DEDI, SITI)}
    assert table_counts(database)["performance"] == 4
    assert table_counts(database)["assessment_score"] == 3
    with database.read() as session:
        predicates = session.execute(
            select(PerformanceRating.year, PerformanceRating.predicate)
            .join(Employee)
            .where(Employee.nip == AHMAD)
            .order_by(PerformanceRating.year)
        ).all()
        assert [tuple(row) for row in predicates] == [(2024, "Baik"), (2025, "Baik")]
        untouched = session.scalars(
            select(Assessment.id).join(Employee).where(Employee.nip == DEDI)
        ).one()
        assert untouched == dedi_assessment


def test_a_utf8_bom_is_accepted(database: Database, tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf" + VALID_SET["employees.csv"].encode()
    report = run(database, write_set(tmp_path / "set", {"employees.csv": bom}))
    assert report.employees.created == 3


def test_tenants_and_positions_may_already_exist(database: Database, tmp_path: Path) -> None:
    run(database, write_set(tmp_path / "all"))
    people_only = {
        "tenants.csv": None,
        "positions.csv": None,
        "position_competencies.csv": None,
        "employees.csv": replace_line(
            "employees.csv", 2, line_of("employees.csv", 2).replace("Ahmad Fauzi", "Ahmad Fauzy")
        ),
    }
    report = run(database, write_set(tmp_path / "people", people_only))
    assert report.tenants.as_dict() == {"created": 0, "changed": 0, "unchanged": 0}
    assert report.employees.changed == 1


def test_a_changed_competency_standard_changes_its_position(
    database: Database, tmp_path: Path
) -> None:
    run(database, write_set(tmp_path / "first"))
    standard = replace_line(
        "position_competencies.csv", 4, "KOTA-SERANG,BKPSDM-ASDM-AM,integritas,3"
    )
    report = run(database, write_set(tmp_path / "second", {"position_competencies.csv": standard}))
    assert report.positions.as_dict() == {"created": 0, "changed": 1, "unchanged": 1}
    assert table_counts(database)["position_competency"] == 3


def test_csv_and_json_profiles_give_the_same_digest(database: Database, tmp_path: Path) -> None:
    csv_set = write_demo_files(tmp_path / "csv", employees=40, seed=11, as_of=TODAY)
    json_set = write_demo_files(
        tmp_path / "jsonl", employees=40, seed=11, as_of=TODAY, file_format="jsonl"
    )
    first = run(database, csv_set.directory)
    assert first.employees.created == 40
    stored = digests(database)
    again = run(database, json_set.directory)
    assert again.employees.as_dict() == {"created": 0, "changed": 0, "unchanged": 40}
    profiles = [
        json.loads(line)
        for line in (json_set.directory / "employees.jsonl").read_text().splitlines()
    ]
    array_dir = tmp_path / "array"
    array_dir.mkdir()
    (array_dir / "profiles.json").write_text(json.dumps(profiles))
    as_array = run(database, array_dir)
    assert as_array.employees.unchanged == 40
    assert digests(database) == stored


def test_workers_give_the_same_result_as_one_process(database: Database, tmp_path: Path) -> None:
    demo = write_demo_files(tmp_path / "demo", employees=60, seed=3, as_of=TODAY)
    parallel = run(database, demo.directory, workers=2)
    assert parallel.employees.created == 60
    assert parallel.total_rows_read == demo.rows
    single = run(database, demo.directory, workers=1)
    assert single.employees.unchanged == 60


def test_problems_found_in_worker_processes_name_file_row_and_field(
    database: Database, tmp_path: Path
) -> None:
    demo = write_demo_files(tmp_path / "demo", employees=40, seed=3, as_of=TODAY)
    education = demo.directory / "education.csv"
    lines = education.read_text().splitlines()
    nip, level, field, _year, institution = lines[5].split(",", 4)
    lines[5] = ",".join([nip, level, field, "1850", institution])
    education.write_text("\n".join(lines) + "\n")
    found, report = rejected(database, demo.directory, workers=2)
    assert {(file, row, name) for file, row, name, _ in found} == {("education.csv", 6, "year")}
    assert report.rejected_rows == 1
    assert report.total_rows_read == demo.rows
    assert table_counts(database) == EMPTY


def test_progress_with_workers_counts_every_byte(database: Database, tmp_path: Path) -> None:
    demo = write_demo_files(tmp_path / "demo", employees=40, seed=3, as_of=TODAY)
    calls: list[tuple[str, int, int]] = []
    run(database, demo.directory, workers=2, progress=lambda *call: calls.append(call))
    size = sum(path.stat().st_size for path in demo.files)
    reads = [done for phase, done, _ in calls if phase == "read"]
    assert reads[-1] == size
    assert reads == sorted(reads)


class _FailsOnEmployees:
    """A validator with a bug: it raises on every employee row (in whichever process reads it)."""

    def __call__(self, record_type: RecordType, row: dict[str, Any], /) -> dict[str, Any]:
        if record_type is RecordType.EMPLOYEE:
            raise ValueError(f"validator bug on {row['nip']}")
        return VALIDATOR(record_type, row)


def test_a_worker_that_fails_fails_the_import_and_nothing_is_written(
    database: Database, tmp_path: Path
) -> None:
    demo = write_demo_files(tmp_path / "demo", employees=20, seed=3, as_of=TODAY)
    with pytest.raises(ValueError, match="validator bug on"):
        import_registry(
            database,
            files=collect_files([demo.directory]),
            validator=_FailsOnEmployees(),
            now=NOW,
            today=TODAY,
            workers=2,
        )
    assert table_counts(database) == EMPTY


def test_progress_is_reported_by_bytes_then_employees(database: Database, tmp_path: Path) -> None:
    directory = write_set(tmp_path / "set")
    calls: list[tuple[str, int, int]] = []
    run(database, directory, progress=lambda phase, done, total: calls.append((phase, done, total)))
    size = sum(path.stat().st_size for path in directory.iterdir())
    assert ("read", size, size) in calls
    assert calls[-1] == ("write", 3, 3)


# ---------------------------------------------------------------- rejected imports


BAD_INPUTS: dict[str, tuple[dict[str, str | bytes | None], list[Problem]]] = {
    "empty file": (
        {"trainings.csv": ""},
        [
            (
                "trainings.csv",
                None,
                None,
                "the file is empty; expected the header nip,kind,completed_on",
            )
        ],
    ),
    "wrong header": (
        {"performance.csv": replace_line("performance.csv", 1, "nip,tahun,predicate")},
        [
            (
                "performance.csv",
                1,
                None,
                "unknown column 'tahun' in the header; the columns are nip,year,predicate",
            )
        ],
    ),
    "missing header": (
        {"penalties.csv": VALID_SET["penalties.csv"].split("\n", 1)[1]},
        [
            (
                "penalties.csv",
                1,
                None,
                "the header is missing: row 1 holds data; the first row must be "
                "nip,level,type,start_date,end_date",
            )
        ],
    ),
    "wrong delimiter": (
        {"education.csv": VALID_SET["education.csv"].replace(",", ";")},
        [
            (
                "education.csv",
                1,
                None,
                "the columns are separated by semicolons (;); separate them with commas (,)",
            )
        ],
    ),
    "not UTF-8": (
        {
            "education.csv": VALID_SET["education.csv"].encode()
            + f"{SITI},D-III,Akuntansi,2010,Politeknik S\xe9rang\n".encode("latin-1")
        },
        [
            (
                "education.csv",
                6,
                None,
                "the file is not UTF-8 (byte 0xE9 at line 6, column 53); save it as UTF-8 "
                "(a UTF-8 byte-order mark is fine)",
            )
        ],
    ),
    "NIP with 17 digits": (
        {"performance.csv": replace_line("performance.csv", 5, f"{SITI[:-1]},2025,Baik")},
        [("performance.csv", 5, "nip", "NIP must be 18 digits; it has 17 digits")],
    ),
    "NIP with letters": (
        {"performance.csv": replace_line("performance.csv", 3, f"{AHMAD[:-1]}A,2025,Baik")},
        [
            (
                "performance.csv",
                3,
                "nip",
                "NIP must contain only digits; found 'A' at position 18",
            )
        ],
    ),
    "birth date disagrees": (
        {
            "employees.csv": replace_line(
                "employees.csv", 2, line_of("employees.csv", 2).replace("1985-01-01", "1985-01-02")
            )
        },
        [
            (
                "employees.csv",
                2,
                "nip",
                "NIP digits 1-8 give birth date 1985-01-01 but birth_date is 1985-01-02",
            )
        ],
    ),
    "unknown rank III/f": (
        {
            "employees.csv": replace_line(
                "employees.csv", 3, line_of("employees.csv", 3).replace("IV/a", "III/f")
            )
        },
        [("employees.csv", 3, "rank", "unknown rank 'III/f'; ranks run from I/a to IV/e")],
    ),
    "future date": (
        {"performance.csv": replace_line("performance.csv", 4, f"{DEDI},2027,Baik")},
        [("performance.csv", 4, "year", "2027 is in the future (this year is 2026)")],
    ),
    "end before start": (
        {
            "position_history.csv": replace_line(
                "position_history.csv",
                2,
                f"{AHMAD},Pengadministrasi Perkantoran,pelaksana,BKPSDM,2010-03-01,2009-12-31",
            )
        },
        [
            (
                "position_history.csv",
                2,
                "end_date",
                "2009-12-31 is before the start date 2010-03-01",
            )
        ],
    ),
    "same NIP twice": (
        {"employees.csv": VALID_SET["employees.csv"] + line_of("employees.csv", 2) + "\n"},
        [
            (
                "employees.csv",
                5,
                "nip",
                f"NIP {AHMAD} appears more than once in this import (first at employees.csv:2)",
            )
        ],
    ),
    "unknown tenant": (
        {
            "employees.csv": replace_line(
                "employees.csv", 4, line_of("employees.csv", 4).replace("KOTA-SERANG", "KOTA-XX")
            )
        },
        [
            (
                "employees.csv",
                4,
                "tenant_code",
                "unknown tenant 'KOTA-XX': not in tenants.csv nor in the database",
            )
        ],
    ),
    "unknown position": (
        {
            "employees.csv": replace_line(
                "employees.csv",
                2,
                line_of("employees.csv", 2).replace("BKPSDM-ASDM-AM", "BKPSDM-NOPE"),
            )
        },
        [
            (
                "employees.csv",
                2,
                "position_code",
                "unknown position 'BKPSDM-NOPE' of tenant KOTA-SERANG: "
                "not in positions.csv nor in the database",
            )
        ],
    ),
    "unknown file name": (
        {"notes.txt": "remember the milk"},
        [
            (
                "notes.txt",
                None,
                None,
                "unknown file name: a CSV set uses tenants.csv, positions.csv, "
                "position_competencies.csv, employees.csv, education.csv, position_history.csv, "
                "trainings.csv, performance.csv, assessments.csv, assessment_scores.csv, "
                "penalties.csv; JSON profiles end in .jsonl (one per line) or .json (an array)",
            )
        ],
    ),
    "a row with too many values": (
        {"trainings.csv": VALID_SET["trainings.csv"] + f"{DEDI},PKN II,2021-02-01,extra\n"},
        [("trainings.csv", 4, None, "row has 4 values but the header has 3 columns")],
    ),
    "tenant under the wrong level": (
        {
            "tenants.csv": replace_line(
                "tenants.csv", 4, "KOTA-SERANG,Pemerintah Kota Serang,city,BKN"
            )
        },
        [
            (
                "tenants.csv",
                4,
                "parent_code",
                "a city tenant hangs under a province tenant; BKN is national",
            )
        ],
    ),
    "penalty type of another tier": (
        {
            "penalties.csv": replace_line(
                "penalties.csv", 2, f"{SITI},ringan,potongan_tukin_6_bulan,2024-05-02,2024-11-01"
            )
        },
        [
            (
                "penalties.csv",
                2,
                "type",
                "potongan_tukin_6_bulan is a sedang penalty (PP 94/2021), not ringan",
            )
        ],
    ),
    "a score without its assessment": (
        {
            "assessment_scores.csv": replace_line(
                "assessment_scores.csv", 4, f"{DEDI},2024-11-03,assessment_center,integritas,4"
            )
        },
        [
            (
                "assessment_scores.csv",
                4,
                "assessed_on",
                f"no assessment_center assessment on 2024-11-03 for NIP {DEDI} in this import",
            )
        ],
    ),
    "a year rated twice": (
        {"performance.csv": VALID_SET["performance.csv"] + f"{DEDI},2025,Sangat Baik\n"},
        [
            (
                "performance.csv",
                6,
                "year",
                "a second predicate for 2025 (first at performance.csv:4)",
            )
        ],
    ),
    "a child row without its employee": (
        {"trainings.csv": VALID_SET["trainings.csv"] + "198001012005011001,PKP,2012-01-01\n"},
        [
            (
                "trainings.csv",
                4,
                "nip",
                "no employee with NIP 198001012005011001 in this import; child records are "
                "imported with their employee (employees.csv or a JSON profile)",
            )
        ],
    ),
    "employees without a companion file": (
        {"trainings.csv": None},
        [
            (
                "employees.csv",
                None,
                None,
                "employees.csv must come with trainings.csv (an import replaces whole records; "
                "a file with only its header means none)",
            )
        ],
    ),
    "a value of the wrong shape": (
        {"education.csv": replace_line("education.csv", 5, f"{SITI},S1,Pendidikan,2012.5,")},
        [("education.csv", 5, "year", "must be a whole number")],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_located_and_nothing_is_written(
    database: Database, tmp_path: Path, case: str
) -> None:
    changes, expected = BAD_INPUTS[case]
    found, report = rejected(database, write_set(tmp_path / "set", changes))
    assert found == expected
    assert report.problems_total == len(expected)
    assert report.employees.as_dict() == {"created": 0, "changed": 0, "unchanged": 0}
    assert table_counts(database) == EMPTY
    assert ledger_bodies(database) == []


def test_a_child_file_needs_its_employees_file(database: Database, tmp_path: Path) -> None:
    names = ["tenants.csv", "positions.csv", "position_competencies.csv", "education.csv"]
    directory = write_set(tmp_path / "set", {name: None for name in VALID_SET if name not in names})
    found, _ = rejected(database, directory)
    assert found == [
        (
            "education.csv",
            None,
            None,
            "education.csv needs employees.csv in the same import "
            "(child records are imported with the record they belong to)",
        ),
        (
            "education.csv",
            2,
            "nip",
            f"no employee with NIP {AHMAD} in this import; child records are imported with "
            "their employee (employees.csv or a JSON profile)",
        ),
        (
            "education.csv",
            3,
            "nip",
            f"no employee with NIP {DEDI} in this import; child records are imported with "
            "their employee (employees.csv or a JSON profile)",
        ),
        (
            "education.csv",
            4,
            "nip",
            f"no employee with NIP {DEDI} in this import; child records are imported with "
            "their employee (employees.csv or a JSON profile)",
        ),
        (
            "education.csv",
            5,
            "nip",
            f"no employee with NIP {SITI} in this import; child records are imported with "
            "their employee (employees.csv or a JSON profile)",
        ),
    ]
    assert table_counts(database) == EMPTY


def test_every_problem_is_reported_and_the_list_is_capped(
    database: Database, tmp_path: Path
) -> None:
    bad_rows = "".join(f"{AHMAD},{year},Bagus\n" for year in range(2001, 2011))
    directory = write_set(
        tmp_path / "set", {"performance.csv": VALID_SET["performance.csv"] + bad_rows}
    )
    found, report = rejected(database, directory, max_problems=4)
    assert report.problems_total == 10
    assert report.problems_not_listed == 6
    assert report.rejected_rows == 10
    assert [row for _, row, _, _ in found] == [6, 7, 8, 9]


def test_several_problems_in_one_row_count_one_rejected_row(
    database: Database, tmp_path: Path
) -> None:
    line = line_of("employees.csv", 3).replace("IV/a", "III/f").replace("1978-03-12", "1978-03-13")
    directory = write_set(
        tmp_path / "set", {"employees.csv": replace_line("employees.csv", 3, line)}
    )
    found, report = rejected(database, directory)
    assert [(row, field) for _, row, field, _ in found] == [(3, "nip"), (3, "rank")]
    assert report.rejected_rows == 1


def test_json_problems_name_the_line_and_the_path(database: Database, tmp_path: Path) -> None:
    run(database, write_set(tmp_path / "set"))
    profile = {
        "nip": DEDI,
        "name": "Dedi Hermawan",
        "birth_date": "1978-03-12",
        "gender": "M",
        "tenant_code": "KOTA-SERANG",
        "employment_type": "PNS",
        "rank": "IV/a",
        "rank_tmt": "2019-10-01",
        "education": [{"level": "S1", "field": "Hukum", "year": "2001a"}],
        "assessments": [
            {
                "assessed_on": "2024-11-02",
                "method": "cact",
                "scores": [{"competency": "integritas", "level": 7}],
            }
        ],
        "hobby": "catur",
    }
    directory = tmp_path / "json"
    directory.mkdir()
    (directory / "update.jsonl").write_text("\n" + json.dumps(profile) + "\n")
    before = digests(database)
    found, _ = rejected(database, directory)
    assert found == [
        ("update.jsonl", 2, "hobby", "is not a field of this record (see docs/import.md)"),
        ("update.jsonl", 2, "education[0].year", "must be a whole number"),
        (
            "update.jsonl",
            2,
            "assessments[0].scores[0].level",
            "competency levels run from 1 to 5, not 7",
        ),
    ]
    assert digests(database) == before


def test_a_rejected_reimport_leaves_earlier_data_untouched(
    database: Database, tmp_path: Path
) -> None:
    run(database, write_set(tmp_path / "first"))
    counts, stored = table_counts(database), digests(database)
    changes = {
        "tenants.csv": VALID_SET["tenants.csv"]
        + "KAB-LEBAK,Pemerintah Kabupaten Lebak,regency,BANTEN\n",
        "performance.csv": replace_line("performance.csv", 3, f"{AHMAD},2025,Baik")
        + f"{SITI},2026,Baik\n{SITI},2031,Baik\n",
    }
    found, _ = rejected(database, write_set(tmp_path / "second", changes))
    assert found == [("performance.csv", 7, "year", "2031 is in the future (this year is 2026)")]
    assert table_counts(database) == counts
    assert digests(database) == stored
    with database.read() as session:
        assert session.scalars(select(Tenant.code).where(Tenant.code == "KAB-LEBAK")).all() == []


def test_a_tenant_level_cannot_change(database: Database, tmp_path: Path) -> None:
    run(database, write_set(tmp_path / "first"))
    tenants = replace_line("tenants.csv", 4, "KOTA-SERANG,Pemerintah Kota Serang,regency,BANTEN")
    found, _ = rejected(database, write_set(tmp_path / "second", {"tenants.csv": tenants}))
    assert found == [
        (
            "tenants.csv",
            4,
            "level",
            "tenant KOTA-SERANG is stored as city; a tenant's level cannot change",
        )
    ]


def test_a_problem_found_while_writing_rolls_back_what_was_written(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "partition_count", lambda _size: 8)
    demo = write_demo_files(tmp_path / "demo", employees=60, seed=3, as_of=TODAY)
    lines = (demo.directory / "employees.csv").read_text().splitlines()[1:]
    last = max((line.split(",")[0] for line in lines), key=lambda nip: int(nip) % 8)
    performance = demo.directory / "performance.csv"
    count = len(performance.read_text().splitlines())
    with performance.open("a") as handle:
        handle.write(f"{last},2020,Baik\n{last},2020,Sangat Baik\n")
    written: list[int] = []
    write = Writer.write_employees

    def spy(self: Writer, groups: dict[str, Any]) -> None:
        written.append(len(groups))
        write(self, groups)

    monkeypatch.setattr(Writer, "write_employees", spy)
    found, _ = rejected(database, demo.directory)
    assert sum(written) > 0
    assert found == [
        (
            "performance.csv",
            count + 2,
            "year",
            f"a second predicate for 2020 (first at performance.csv:{count + 1})",
        )
    ]
    assert table_counts(database) == EMPTY


def test_streams_of_unknown_size_import_like_files(database: Database, tmp_path: Path) -> None:
    demo = write_demo_files(
        tmp_path / "demo", employees=30, seed=2, as_of=TODAY, file_format="jsonl"
    )
    profiles = (demo.directory / "employees.jsonl").read_bytes()
    upload = ImportFile(name="upload.jsonl", opener=lambda: io.BytesIO(profiles), size=None)
    reference = collect_files(
        [
            demo.directory / name
            for name in ("tenants.csv", "positions.csv", "position_competencies.csv")
        ]
    )
    report = import_registry(
        database, files=[*reference, upload], validator=VALIDATOR, now=NOW, today=TODAY
    )
    assert report.employees.created == 30
    assert report.files[-1].sha256 == hashlib.sha256(profiles).hexdigest()
