"""CSV for people to open: cells that a spreadsheet would run as a formula are neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (OWASP "CSV injection"); such a text cell is written
with a leading apostrophe, which spreadsheets show as text. Numbers are written as they are.
Every CSV the service produces for people (exports, reports) is written through
:func:`csv_writer`; import files are data for machines and are not altered.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: Any) -> Any:
    """Return ``cell`` with a leading apostrophe if it is text a spreadsheet would evaluate."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class SafeCsvWriter:
    """A ``csv.writer`` whose text cells are neutralised (see the module)."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row."""
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write rows."""
        for row in rows:
            self.writerow(row)


def csv_writer(handle: IO[str]) -> SafeCsvWriter:
    """Return a CSV writer for ``handle`` that neutralises formula cells."""
    return SafeCsvWriter(handle)
