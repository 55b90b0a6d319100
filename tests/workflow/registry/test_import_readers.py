"""Streaming readers: encodings, headers, delimiters, row numbers, JSON profiles, huge files."""

from __future__ import annotations

import hashlib
import io

import pytest

from workflow.registry.importing.formats import (
    FileUnreadable,
    Meter,
    RawRow,
    ReadProblem,
    flatten_profile,
    read_csv,
    read_json_array,
    read_json_lines,
)
from workflow.registry.records import SPECS, RecordType

PERFORMANCE = SPECS[RecordType.PERFORMANCE]
HEADER = b"nip,year,predicate\n"
ROW = b"198501012010031002,2025,Baik\n"


def read(data: bytes, spec: RecordType = RecordType.PERFORMANCE) -> list[RawRow | ReadProblem]:
    return list(read_csv(io.BytesIO(data), SPECS[spec]))


def unreadable(data: bytes, spec: RecordType = RecordType.PERFORMANCE) -> FileUnreadable:
    with pytest.raises(FileUnreadable) as caught:
        read(data, spec)
    return caught.value


def test_rows_are_numbered_from_the_header_as_row_one() -> None:
    rows = read(HEADER + ROW + b"198501012010031002,2024,Sangat Baik\n")
    assert [(r.row, r.data) for r in rows if isinstance(r, RawRow)] == [
        (2, {"nip": "198501012010031002", "year": "2025", "predicate": "Baik"}),
        (3, {"nip": "198501012010031002", "year": "2024", "predicate": "Sangat Baik"}),
    ]


def test_a_utf8_bom_is_accepted() -> None:
    rows = read(b"\xef\xbb\xbf" + HEADER + ROW)
    assert len(rows) == 1
    assert isinstance(rows[0], RawRow)
    assert rows[0].data["nip"] == "198501012010031002"


def test_cells_are_trimmed_and_empty_cells_are_none() -> None:
    data = b"nip,title,level,unit,start_date,end_date\n" + (
        b"198501012010031002, Analis ,jf_ahli_muda,,2020-01-01,\n"
    )
    (row,) = read(data, RecordType.POSITION_HISTORY)
    assert isinstance(row, RawRow)
    assert row.data["title"] == "Analis"
    assert row.data["unit"] is None
    assert row.data["end_date"] is None


def test_header_names_are_case_insensitive_and_in_any_order() -> None:
    (row,) = read(b"Predicate, NIP ,YEAR\nBaik,198501012010031002,2025\n")
    assert isinstance(row, RawRow)
    assert row.data == {"predicate": "Baik", "nip": "198501012010031002", "year": "2025"}


def test_optional_columns_may_be_left_out_of_the_header() -> None:
    (row,) = read(b"nip,level,field,year\n198501012010031002,S1,Hukum,2007\n", RecordType.EDUCATION)
    assert isinstance(row, RawRow)
    assert "institution" not in row.data


def test_blank_lines_are_skipped_but_counted() -> None:
    rows = read(HEADER + b"\n" + ROW + b",,\n" + ROW)
    assert [r.row for r in rows] == [3, 5]


def test_a_quoted_cell_may_hold_a_newline() -> None:
    data = b'nip,level,field,year,institution\n198501012010031002,S1,"Ilmu\nHukum",2007,\n' + (
        b"198501012010031002,S2,Hukum,2012,\n"
    )
    rows = read(data, RecordType.EDUCATION)
    assert [(r.row, r.data["field"]) for r in rows if isinstance(r, RawRow)] == [
        (2, "Ilmu\nHukum"),
        (3, "Hukum"),
    ]


def test_a_row_with_the_wrong_number_of_values_is_a_problem_and_reading_goes_on() -> None:
    rows = read(HEADER + b"198501012010031002,2025\n" + ROW)
    assert rows[0] == ReadProblem(2, "row has 2 values but the header has 3 columns")
    assert isinstance(rows[1], RawRow)
    assert rows[1].row == 3


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    error = unreadable(data)
    assert error.row is None
    assert error.message == "the file is empty; expected the header nip,year,predicate"


def test_a_header_only_file_is_fine() -> None:
    assert read(HEADER) == []


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(b";", "semicolons (;)"), (b"\t", "tabs"), (b"|", "vertical bars (|)")],
)
def test_another_delimiter_is_named(delimiter: bytes, name: str) -> None:
    data = delimiter.join([b"nip", b"year", b"predicate"]) + b"\n"
    error = unreadable(data + ROW.replace(b",", delimiter))
    assert (error.row, error.message) == (
        1,
        f"the columns are separated by {name}; separate them with commas (,)",
    )


def test_a_missing_header_is_recognised() -> None:
    error = unreadable(ROW + ROW)
    assert error.row == 1
    assert error.message == (
        "the header is missing: row 1 holds data; the first row must be nip,year,predicate"
    )


def test_a_foreign_header_is_wrong() -> None:
    error = unreadable(b"nomor,tahun,predikat\n" + ROW)
    assert error.message == "wrong header: none of its columns is one of nip,year,predicate"


def test_a_misspelt_column_gets_a_suggestion() -> None:
    error = unreadable(b"nip,yaer,predicate\n" + ROW)
    assert error.message == "unknown column 'yaer' in the header; did you mean 'year'?"


def test_a_missing_required_column_is_named() -> None:
    error = unreadable(b"nip,predicate\n198501012010031002,Baik\n")
    assert error.message == "the header lacks the required column 'year'"


def test_a_column_given_twice_is_refused() -> None:
    error = unreadable(b"nip,year,year,predicate\n")
    assert error.message == "column 'year' appears twice in the header"


def test_a_file_that_is_not_utf8_says_where() -> None:
    error = unreadable(HEADER + ROW + "198501012010031002,2025,Tr\xe8s bien\n".encode("latin-1"))
    assert error.row == 3
    assert error.message == (
        "the file is not UTF-8 (byte 0xE8 at line 3, column 27); save it as UTF-8 "
        "(a UTF-8 byte-order mark is fine)"
    )


def test_a_utf16_file_is_named_as_such() -> None:
    error = unreadable((HEADER + ROW).decode().encode("utf-16"))
    assert error.message == "the file is UTF-16; save it as UTF-8"


def test_broken_quoting_stops_the_file() -> None:
    error = unreadable(HEADER + b'198501012010031002,"2025"x,Baik\n')
    assert error.row == 2
    assert error.message.startswith("broken CSV quoting:")


class EndlessCsv(io.RawIOBase):
    """A gigabyte-sized CSV made up on the fly: reading it whole would never fit the test."""

    def __init__(self, header: bytes, row: bytes, size: int) -> None:
        self._chunk = row * 4096
        self._pending = header
        self.size = size
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.position >= self.size:
            return 0
        if not self._pending:
            self._pending = self._chunk
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.position += count
        return count


def test_a_huge_csv_file_is_streamed_not_loaded() -> None:
    source = EndlessCsv(HEADER, ROW, size=1 << 30)
    rows = read_csv(io.BufferedReader(source), PERFORMANCE)
    for count, row in enumerate(rows, start=1):
        assert isinstance(row, RawRow)
        if count == 10_000:
            break
    assert source.position < 2 * 1024 * 1024


def test_a_huge_json_array_is_streamed_not_loaded() -> None:
    profile = (
        b'{"nip":"198501012010031002","name":"A","performance":[{"year":2025,"predicate":"Baik"}]},'
    )
    source = EndlessCsv(b"[", profile, size=1 << 30)
    rows = read_json_array(io.BufferedReader(source))
    for count, row in enumerate(rows, start=1):
        assert isinstance(row, RawRow)
        if count == 10_000:
            break
    assert source.position < 4 * 1024 * 1024


def test_the_meter_counts_and_hashes_every_byte() -> None:
    data = HEADER + ROW * 1000
    meter = Meter(io.BytesIO(data))
    list(read_csv(io.BufferedReader(meter), PERFORMANCE))
    assert meter.bytes_read == len(data)
    assert meter.hexdigest() == hashlib.sha256(data).hexdigest()


def test_draining_hashes_the_rest_after_a_fatal_problem() -> None:
    data = b"nip;year\n" + b"x" * 300_000
    meter = Meter(io.BytesIO(data))
    with pytest.raises(FileUnreadable):
        list(read_csv(io.BufferedReader(meter), PERFORMANCE))
    meter.drain()
    assert meter.hexdigest() == hashlib.sha256(data).hexdigest()


PROFILE = (
    '{"nip": "198501012010031002", "name": "Ahmad", "education": [{"level": "S1", '
    '"field": " Hukum ", "year": 2007}], "assessments": [{"assessed_on": "2025-06-10", '
    '"method": "cact", "jpm": 86.5, "scores": [{"competency": "integritas", "level": 3}]}]}'
)


def json_lines(text: str) -> list[RawRow | ReadProblem]:
    return list(read_json_lines(io.BytesIO(text.encode())))


def test_a_json_profile_flattens_into_the_csv_record_types() -> None:
    rows = json_lines(PROFILE + "\n")
    assert [(r.record_type, r.row, r.prefix) for r in rows if isinstance(r, RawRow)] == [
        (RecordType.EMPLOYEE, 1, ""),
        (RecordType.EDUCATION, 1, "education[0]."),
        (RecordType.ASSESSMENT, 1, "assessments[0]."),
        (RecordType.ASSESSMENT_SCORE, 1, "assessments[0].scores[0]."),
    ]
    education, assessment, score = rows[1], rows[2], rows[3]
    assert isinstance(education, RawRow)
    assert education.data == {
        "level": "S1",
        "field": "Hukum",
        "year": 2007,
        "nip": "198501012010031002",
    }
    assert education.inherited == {"nip"}
    assert isinstance(assessment, RawRow)
    assert "scores" not in assessment.data
    assert str(assessment.data["jpm"]) == "86.5"
    assert isinstance(score, RawRow)
    assert score.data == {
        "competency": "integritas",
        "level": 3,
        "nip": "198501012010031002",
        "assessed_on": "2025-06-10",
        "method": "cact",
    }
    assert score.inherited == {"nip", "assessed_on", "method"}


def test_a_bad_json_line_is_a_problem_and_the_next_line_is_read() -> None:
    rows = json_lines(PROFILE + "\n{nip: 1}\n\n" + PROFILE + "\n")
    problem = rows[4]
    assert problem == ReadProblem(
        2, "not JSON: Expecting property name enclosed in double quotes (column 2)"
    )
    assert [r.row for r in rows if isinstance(r, RawRow)] == [1, 1, 1, 1, 4, 4, 4, 4]


def test_json_lines_accept_a_bom_and_refuse_an_empty_file() -> None:
    rows = list(read_json_lines(io.BytesIO(b"\xef\xbb\xbf" + PROFILE.encode() + b"\n")))
    assert len(rows) == 4
    with pytest.raises(FileUnreadable, match="the file is empty; expected one JSON profile"):
        json_lines("\n \n")


def test_a_json_lines_file_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(FileUnreadable) as caught:
        list(read_json_lines(io.BytesIO(PROFILE.encode() + b'\n{"name": "Fran\xe7ois"}\n')))
    assert caught.value.row == 2
    assert "not UTF-8 (byte 0xE7 at line 2" in caught.value.message


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"education": {"level": "S1"}}, "education", "must be a list of objects"),
        ({"education": ["S1"]}, "education[0]", "must be an object"),
        (
            {"education": [{"nip": "1"}]},
            "education[0].nip",
            "leave nip out: nested records take the profile's nip",
        ),
        (
            {"assessments": [{"scores": [{"method": "cact"}]}]},
            "assessments[0].scores[0].method",
            "leave it out: a score takes it from its assessment",
        ),
    ],
)
def test_misshapen_nesting_is_reported_by_path(
    item: dict[str, object], field: str, message: str
) -> None:
    profile = {"nip": "198501012010031002"} | item
    problems = [r for r in flatten_profile(profile, 7) if isinstance(r, ReadProblem)]
    assert problems == [ReadProblem(7, message, field)]


def array(data: bytes) -> list[RawRow | ReadProblem]:
    return list(read_json_array(io.BytesIO(data)))


def test_a_json_array_numbers_profiles_from_one() -> None:
    rows = array(("[" + PROFILE + "," + PROFILE + "]").encode())
    assert [r.row for r in rows if isinstance(r, RawRow)] == [1, 1, 1, 1, 2, 2, 2, 2]


@pytest.mark.parametrize(
    ("data", "row", "message"),
    [
        (b"", None, "the file is empty; expected a JSON array of profiles"),
        (b"  \n", None, "the file is empty; expected a JSON array of profiles"),
        (
            PROFILE.encode(),
            None,
            "expected a top-level JSON array of profiles ([{...}, ...]); "
            "for one profile per line, name the file *.jsonl",
        ),
    ],
)
def test_a_json_file_must_hold_one_array(data: bytes, row: int | None, message: str) -> None:
    with pytest.raises(FileUnreadable) as caught:
        array(data)
    assert (caught.value.row, caught.value.message) == (row, message)


def test_broken_json_names_the_last_good_profile() -> None:
    with pytest.raises(FileUnreadable) as caught:
        array(("[" + PROFILE + ", {oops}]").encode())
    assert caught.value.row == 2
    assert caught.value.message.startswith("invalid JSON after profile 1:")


def test_a_json_array_accepts_a_bom_and_refuses_other_encodings() -> None:
    assert len(array(b"\xef\xbb\xbf[" + PROFILE.encode() + b"]")) == 4
    with pytest.raises(FileUnreadable, match=r"not UTF-8 \(byte 0xE9 at byte 11\)"):
        array(b'[{"name":"\xe9"}]')
