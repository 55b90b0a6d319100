"""CSV written for people neutralises cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import pytest

from workflow.core import csv_writer, neutralise_csv_cell


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")'],
)
def test_formula_cells_are_written_as_text(cell: str) -> None:
    out = io.StringIO()
    csv_writer(out).writerow(["ok", cell, 7, -3])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["ok", "'" + cell, "7", "-3"]


@pytest.mark.parametrize("cell", ["Kepala Bagian", "1+1", "a=b", "", "'quoted", None, 12])
def test_other_cells_are_unchanged(cell: object) -> None:
    assert neutralise_csv_cell(cell) == cell
