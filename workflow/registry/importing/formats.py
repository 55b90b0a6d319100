"""Streaming readers for the import files: a CSV file of one record type, or JSON profiles.

Readers never hold a whole file: CSV and JSON Lines are read line by line, a JSON array is
parsed incrementally with ``ijson``. Every byte passes through a :class:`Meter` that counts it
(for the progress bar) and hashes it (the file's SHA-256 goes into the import report).
Row numbers are 1-based with the header as row 1, so the first data row of a CSV file is row 2;
in JSON Lines the row is the line number; in a JSON array it is the profile's position (1-based).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final

import ijson

from workflow.core import (
    MAX_JSON_DEPTH,
    HostileJson,
    InvalidInput,
    check_json_values,
    decode_json,
)
from workflow.registry.records import (
    JSON_SCORES_KEY,
    SPECS,
    RecordSpec,
    RecordType,
)

BOM: Final = codecs.BOM_UTF8
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_OTHER_DELIMITERS: Final = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}
_BUFFER: Final = 1 << 16
_DATA_LIKE: Final = re.compile(r"^\d|[-/.@:]")
_JSON_CHILDREN: Final = tuple(
    (spec.json_key, spec.type) for spec in SPECS.values() if spec.json_key is not None
)
_SCORE_INHERITS: Final = frozenset({"nip", "assessed_on", "method"})
_CHILD_INHERITS: Final = frozenset({"nip"})


@dataclass(frozen=True, slots=True)
class ImportFile:
    """One input: its name (which says what it holds) and how to open it as bytes."""

    name: str
    opener: Callable[[], IO[bytes]]
    size: int | None = None

    @classmethod
    def from_path(cls, path: Path) -> ImportFile:
        """Return the input for a file on disk."""
        return cls(name=path.name, opener=lambda: path.open("rb"), size=path.stat().st_size)


def collect_files(paths: Sequence[Path]) -> list[ImportFile]:
    """Return the import files at ``paths``: files as given, directories by their (visible) files.

    :raises InvalidInput: a path does not exist.
    """
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise InvalidInput(
            "no such file or directory",
            [
                {"file": str(path), "row": None, "field": None, "message": "not found"}
                for path in missing
            ],
        )
    files: list[ImportFile] = []
    for path in paths:
        if path.is_dir():
            entries = sorted(
                entry
                for entry in path.iterdir()
                if entry.is_file() and not entry.name.startswith(".")
            )
        else:
            entries = [path]
        files.extend(ImportFile.from_path(entry) for entry in entries)
    return files


_NONE_INHERITED: Final[frozenset[str]] = frozenset()


@dataclass(slots=True)
class RawRow:
    """One row as read: its type, where it is, and its values (text or JSON scalars)."""

    record_type: RecordType
    row: int
    data: dict[str, Any]
    prefix: str = ""
    """Where the row sits in a JSON profile (``education[0].``); empty for CSV."""
    inherited: frozenset[str] = _NONE_INHERITED
    """Fields copied from the enclosing JSON object; their problems are reported there."""


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A row that cannot be read as a record (wrong number of values, invalid JSON line)."""

    row: int | None
    message: str
    field: str | None = None


class FileUnreadable(Exception):
    """The rest of a file cannot be read (empty, bad header, not UTF-8, broken JSON)."""

    def __init__(self, row: int | None, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.message = message
        self.field = field


class Meter(io.RawIOBase):
    """A raw byte stream that counts and hashes everything read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self._sha256 = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        """Return True: this stream is for reading."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the underlying stream, counting and hashing the bytes."""
        view = memoryview(buffer).cast("B")
        data = self._raw.read(len(view))
        size = len(data)
        view[:size] = data
        self._sha256.update(data)
        self.bytes_read += size
        return size

    def drain(self) -> None:
        """Read to the end, so the hash covers the whole file even after a fatal problem."""
        while self._raw_chunk():
            pass

    def _raw_chunk(self) -> int:
        data = self._raw.read(_BUFFER * 16)
        self._sha256.update(data)
        self.bytes_read += len(data)
        return len(data)

    def hexdigest(self) -> str:
        """Return the SHA-256 of the bytes read so far."""
        return self._sha256.hexdigest()


def read_csv(stream: IO[bytes], spec: RecordSpec) -> Iterator[RawRow | ReadProblem]:
    """Yield the rows of a CSV file of ``spec``'s type, checking its encoding and header.

    :raises FileUnreadable: the file is empty, not UTF-8, not comma-separated, has a wrong or
        missing header, or its quoting is broken.
    """
    lines = _Lines(stream)
    reader = csv.reader(lines, strict=True)
    header = _read_header(reader, lines, spec)
    width = len(header)
    row = 1
    record_type = spec.type
    try:
        for cells in reader:
            row += 1
            if len(cells) == width:
                values = [cell.strip() or None for cell in cells]
                if values.count(None) != width:
                    yield RawRow(record_type, row, dict(zip(header, values, strict=True)))
            elif "".join(cells).strip():
                yield ReadProblem(
                    row, f"row has {len(cells)} values but the header has {width} columns"
                )
    except csv.Error as error:
        raise FileUnreadable(row + 1, f"broken CSV quoting: {error}") from None
    except _BadText as error:
        raise FileUnreadable(row + 1, str(error)) from None


def read_json_lines(stream: IO[bytes]) -> Iterator[RawRow | ReadProblem]:
    """Yield the rows of a JSON Lines file: one employee profile (a JSON object) per line.

    :raises FileUnreadable: the file is empty or not UTF-8.
    """
    lines = _Lines(stream)
    seen = False
    try:
        for text in lines:
            if not text.strip():
                continue
            seen = True
            try:
                profile = decode_json(text, parse_float=Decimal)
            except HostileJson as error:
                where = f" (at {error.pointer})" if error.pointer else ""
                yield ReadProblem(lines.number, f"{error.detail}{where}")
                continue
            yield from flatten_profile(profile, lines.number)
    except _BadText as error:
        raise FileUnreadable(lines.number, str(error)) from None
    if not seen:
        raise FileUnreadable(None, "the file is empty; expected one JSON profile per line")


def read_json_array(stream: IO[bytes]) -> Iterator[RawRow | ReadProblem]:
    """Yield the rows of a JSON file holding one top-level array of employee profiles.

    :raises FileUnreadable: the file is empty, not UTF-8, not an array, or not valid JSON.
    """
    checked = _Utf8Stream(stream)
    try:
        first = checked.first_character()
    except _BadText as error:
        raise FileUnreadable(None, str(error)) from None
    if first is None:
        raise FileUnreadable(None, "the file is empty; expected a JSON array of profiles")
    if first != "[":
        raise FileUnreadable(
            None,
            "expected a top-level JSON array of profiles ([{...}, ...]); "
            "for one profile per line, name the file *.jsonl",
        )
    index = 0
    try:
        for index, profile in enumerate(_array_items(checked), start=1):
            yield from flatten_profile(profile, index)
    except _BadText as error:
        raise FileUnreadable(index + 1, str(error)) from None
    except ijson.JSONError as error:
        raise FileUnreadable(index + 1, f"invalid JSON after profile {index}: {error}") from None


def _array_items(stream: _Utf8Stream) -> Iterator[object]:
    """Yield the elements of a top-level JSON array, streaming, as strictly as a request body.

    ijson would let a duplicate member name overwrite the first silently; this refuses it, as
    it refuses nesting deeper than :data:`MAX_JSON_DEPTH`, a NUL and overlong strings.

    :raises _BadText: the text is refused.
    """
    depth = 0
    names: list[set[str] | None] = []
    builder: ijson.common.ObjectBuilder | None = None
    for event, value in ijson.basic_parse(stream, use_float=False):
        if event in ("start_map", "start_array"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _BadText(f"nested more than {MAX_JSON_DEPTH} levels deep")
            names.append(set() if event == "start_map" else None)
        elif event in ("end_map", "end_array"):
            depth -= 1
            names.pop()
        elif event == "map_key":
            seen = names[-1]
            assert seen is not None
            if value in seen:
                raise _BadText(f"the member {str(value)[:80]!r} appears twice in one object")
            seen.add(value)
        if depth == (1 if event == "start_array" else 0) and event in ("start_array", "end_array"):
            continue  # the top-level array itself
        builder = builder or ijson.common.ObjectBuilder()
        builder.event(event, value)
        if not builder.containers:
            try:
                check_json_values(builder.value)
            except HostileJson as error:
                raise _BadText(f"refused JSON: {error.detail}") from None
            yield builder.value
            builder = None


def flatten_profile(profile: object, row: int) -> Iterator[RawRow | ReadProblem]:
    """Yield the employee row and every nested child row of one JSON profile."""
    if not isinstance(profile, dict):
        yield ReadProblem(row, "each profile must be a JSON object")
        return
    children = {key: profile[key] for key, _ in _JSON_CHILDREN if key in profile}
    employee = {key: _scalar(value) for key, value in profile.items() if key not in children}
    yield RawRow(RecordType.EMPLOYEE, row, employee)
    nip = employee.get("nip")
    for key, record_type in _JSON_CHILDREN:
        items = children.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            yield ReadProblem(row, "must be a list of objects", field=key)
            continue
        for position, item in enumerate(items):
            prefix = f"{key}[{position}]"
            if not isinstance(item, dict):
                yield ReadProblem(row, "must be an object", field=prefix)
                continue
            if "nip" in item:
                yield ReadProblem(
                    row, "leave nip out: nested records take the profile's nip", f"{prefix}.nip"
                )
                continue
            if record_type is RecordType.ASSESSMENT:
                yield from _assessment_rows(item, nip, row, prefix)
                continue
            data = {name: _scalar(value) for name, value in item.items()}
            data["nip"] = nip
            yield RawRow(record_type, row, data, f"{prefix}.", _CHILD_INHERITS)


def _assessment_rows(
    item: Mapping[str, Any], nip: object, row: int, prefix: str
) -> Iterator[RawRow | ReadProblem]:
    scores = item.get(JSON_SCORES_KEY)
    data = {name: _scalar(value) for name, value in item.items() if name != JSON_SCORES_KEY}
    data["nip"] = nip
    yield RawRow(RecordType.ASSESSMENT, row, data, f"{prefix}.", _CHILD_INHERITS)
    if scores is None:
        return
    if not isinstance(scores, list):
        yield ReadProblem(row, "must be a list of objects", field=f"{prefix}.{JSON_SCORES_KEY}")
        return
    for position, score in enumerate(scores):
        where = f"{prefix}.{JSON_SCORES_KEY}[{position}]"
        if not isinstance(score, dict):
            yield ReadProblem(row, "must be an object", field=where)
            continue
        clash = sorted(_SCORE_INHERITS & score.keys())
        if clash:
            yield ReadProblem(
                row, "leave it out: a score takes it from its assessment", f"{where}.{clash[0]}"
            )
            continue
        values = {name: _scalar(value) for name, value in score.items()}
        values.update(nip=nip, assessed_on=data.get("assessed_on"), method=data.get("method"))
        yield RawRow(RecordType.ASSESSMENT_SCORE, row, values, f"{where}.", _SCORE_INHERITS)


def _scalar(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


class _BadText(Exception):
    """Bytes that are not UTF-8, or text the service refuses (a NUL, a hostile JSON text)."""


def _encoding_message(error: UnicodeDecodeError, where: str) -> str:
    byte = error.object[error.start : error.start + 1].hex().upper()
    return (
        f"the file is not UTF-8 (byte 0x{byte} {where}); save it as UTF-8 "
        "(a UTF-8 byte-order mark is fine)"
    )


class _Lines:
    """Decoded lines of a byte stream, one at a time, with the physical line number."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self._stream:
            self.number += 1
            if self.number == 1:
                if raw.startswith(_UTF16_BOMS):
                    raise _BadText("the file is UTF-16; save it as UTF-8")
                if raw.startswith(BOM):
                    raw = raw[len(BOM) :]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                where = f"at line {self.number}, column {error.start + 1}"
                raise _BadText(_encoding_message(error, where)) from None
            if "\x00" in text:
                column = text.index("\x00") + 1
                raise _BadText(
                    f"a NUL character (U+0000) at line {self.number}, column {column}: "
                    "text never holds one"
                )
            yield text


class _Utf8Stream:
    """A byte stream for ``ijson`` that drops a leading BOM and refuses bytes that are not UTF-8."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._pending = b""
        self._offset = 0

    def first_character(self) -> str | None:
        """Return the first character that is not white space, or None for an empty stream."""
        start = self._stream.read(_BUFFER)
        if start.startswith(_UTF16_BOMS):
            raise _BadText("the file is UTF-16; save it as UTF-8")
        if start.startswith(BOM):
            start = start[len(BOM) :]
            self._offset = len(BOM)
        self._pending = start
        while True:
            stripped = self._pending.lstrip()
            if stripped:
                return stripped[:1].decode("latin-1")
            more = self._stream.read(_BUFFER)
            if not more:
                return None
            self._pending += more

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes after checking they are UTF-8."""
        if size == 0:
            return b""
        if self._pending:
            data, self._pending = self._pending, b""
        else:
            data = self._stream.read(size if size > 0 else _BUFFER)
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            where = f"at byte {self._offset + error.start + 1}"
            raise _BadText(_encoding_message(error, where)) from None
        self._offset += len(data)
        return data


def _read_header(reader: Iterator[list[str]], lines: _Lines, spec: RecordSpec) -> list[str]:
    try:
        first = next(reader, None)
        if first is not None and _blank(first):
            if any(not _blank(cells) for cells in reader):
                raise FileUnreadable(
                    1, f"row 1 is blank; the first row must be the header {_expected(spec)}"
                )
            first = None
    except csv.Error as error:
        raise FileUnreadable(1, f"broken CSV quoting: {error}") from None
    except _BadText as error:
        raise FileUnreadable(lines.number, str(error)) from None
    if first is None:
        raise FileUnreadable(None, f"the file is empty; expected the header {_expected(spec)}")
    header = [cell.strip().lower() for cell in first]
    if len(header) == 1:
        for delimiter, name in _OTHER_DELIMITERS.items():
            if delimiter in header[0]:
                raise FileUnreadable(
                    1, f"the columns are separated by {name}; separate them with commas (,)"
                )
    problem = header_problem(header, spec)
    if problem:
        raise FileUnreadable(1, problem)
    return header


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def header_problem(header: list[str], spec: RecordSpec) -> str | None:
    """Return what is wrong with a CSV header for ``spec``, or None when it is right."""
    known = set(spec.columns)
    if not known.intersection(header):
        if any(_looks_like_data(cell) for cell in header):
            return (
                f"the header is missing: row 1 holds data; the first row must be {_expected(spec)}"
            )
        return f"wrong header: none of its columns is one of {_expected(spec)}"
    seen: set[str] = set()
    for name in header:
        if name in seen:
            return f"column {name!r} appears twice in the header"
        seen.add(name)
    unknown = [name for name in header if name not in known]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, spec.columns, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; the columns are {_expected(spec)}"
        return f"unknown column {name!r} in the header{hint}"
    missing = [name for name in spec.columns if name in spec.required and name not in seen]
    if missing:
        return f"the header lacks the required column{'s' if len(missing) > 1 else ''} " + (
            ", ".join(repr(name) for name in missing)
        )
    return None


def _looks_like_data(cell: str) -> bool:
    return bool(_DATA_LIKE.search(cell))


def _expected(spec: RecordSpec) -> str:
    return ",".join(spec.columns)
