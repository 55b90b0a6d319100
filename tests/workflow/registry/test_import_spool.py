"""The import's spool: rows come back named, partitioned by NIP and in file and row order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workflow.registry.importing.spool import (
    RejectedAssessment,
    RejectedEmployee,
    Spool,
    SpooledRow,
    read_partitions,
)
from workflow.registry.records import SPECS, EmployeeRow, PerformanceRow, RecordType

AHMAD = "198501012010031002"
SITI = "199002152022212003"


def employee(nip: str) -> EmployeeRow:
    return EmployeeRow(
        nip, "Ahmad Fauzi", dt.date(1985, 1, 1), "M", "KOTA-SERANG", "PNS", "III/c",
        dt.date(2018, 4, 1), None, None, None, False,
    )  # fmt: skip


def test_rows_come_back_named_by_partition_in_file_and_row_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 2)
    later = SpooledRow(5, 3, "", AHMAD, PerformanceRow(AHMAD, 2024, "Baik"), hash=7)
    first = SpooledRow(3, 9, "", AHMAD, employee(AHMAD))
    marker = SpooledRow(5, 2, "", AHMAD, RejectedAssessment("2024-01-02", "cact"))
    other = SpooledRow(3, 2, "", SITI, RejectedEmployee(reported=True))
    for row in (later, first, marker, other):
        spool.add(row)
    spool.close()
    partitions = list(read_partitions([tmp_path], 2))
    assert partitions[int(AHMAD) % 2] == [first, marker, later]
    assert partitions[int(SITI) % 2] == [other]
    back = partitions[int(AHMAD) % 2]
    assert isinstance(back[0].values, EmployeeRow)
    assert back[0].values.tenant_code == "KOTA-SERANG"
    assert isinstance(back[2].values, PerformanceRow)
    assert (back[2].values.year, back[2].hash) == (2024, 7)


def test_typed_rows_have_the_documented_columns() -> None:
    assert SPECS[RecordType.EMPLOYEE].columns == EmployeeRow._fields
    assert SPECS[RecordType.PERFORMANCE].columns == ("nip", "year", "predicate")
