"""The marshmallow row schemas match the documented columns and speak in specific messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import Schema

from api.schemas.registry_import import ROW_SCHEMAS, RegistryRowValidator
from workflow.registry.importing import RowRejected
from workflow.registry.records import SPECS, RecordType

VALIDATOR = RegistryRowValidator()


@pytest.mark.parametrize("record_type", list(RecordType))
def test_every_schema_has_exactly_the_documented_columns(record_type: RecordType) -> None:
    schema: Schema = ROW_SCHEMAS[record_type]()
    spec = SPECS[record_type]
    assert set(schema.fields) == set(spec.columns)
    assert {name for name, field in schema.fields.items() if field.required} == spec.required


def errors(record_type: RecordType, row: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(RowRejected) as caught:
        VALIDATOR(record_type, row)
    return caught.value.errors


def test_values_are_typed() -> None:
    row = VALIDATOR(
        RecordType.ASSESSMENT,
        {"nip": "198501012010031002", "assessed_on": "2025-06-10", "method": "cact", "jpm": "86.5"},
    )
    assert row["assessed_on"] == dt.date(2025, 6, 10)
    assert row["jpm"] == Decimal("86.50")
    assert "potential" not in row or row["potential"] is None


def test_required_values_missing_or_empty_are_named() -> None:
    assert errors(RecordType.PERFORMANCE, {"nip": "198501012010031002", "year": None}) == {
        "year": ["is required"],
        "predicate": ["is required"],
    }


@pytest.mark.parametrize("year", ["2012.5", "20x2", True, 2012.0])
def test_whole_numbers_refuse_fractions_text_and_booleans(year: object) -> None:
    row = {"nip": "198501012010031002", "year": year, "predicate": "Baik"}
    assert errors(RecordType.PERFORMANCE, row) == {"year": ["must be a whole number"]}


def test_whole_numbers_accept_digits_and_json_integers() -> None:
    for year in ("2012", 2012, "+2012"):
        row = {"nip": "198501012010031002", "year": year, "predicate": "Baik"}
        assert VALIDATOR(RecordType.PERFORMANCE, row)["year"] == 2012


def test_dates_must_be_iso() -> None:
    row = {"nip": "198501012010031002", "kind": "PKP", "completed_on": "12/05/2020"}
    assert errors(RecordType.TRAINING, row) == {
        "completed_on": ["must be a date written YYYY-MM-DD"]
    }


def test_a_numeric_nip_in_json_is_explained() -> None:
    row = {"nip": 198501012010031002, "kind": "PKP", "completed_on": "2020-05-12"}
    assert errors(RecordType.TRAINING, row) == {
        "nip": ["must be text (in JSON, write the NIP in quotes)"]
    }


def test_unknown_fields_are_refused() -> None:
    row = {"nip": "198501012010031002", "kind": "PKP", "completed_on": "2020-05-12", "x": 1}
    assert errors(RecordType.TRAINING, row) == {
        "x": ["is not a field of this record (see docs/import.md)"]
    }


def test_long_texts_are_refused() -> None:
    row = {"code": "X", "name": "N" * 201, "level": "national"}
    assert errors(RecordType.TENANT, row) == {"name": ["must be at most 200 characters"]}


def test_education_fields_come_as_a_bar_separated_cell_or_a_list() -> None:
    base = {
        "tenant_code": "BKN",
        "code": "P",
        "title": "T",
        "level": "pengawas",
        "unit": "U",
    }
    cell = VALIDATOR(RecordType.POSITION, base | {"required_education_fields": "Hukum| Akuntansi"})
    assert cell["required_education_fields"] == ["Hukum", "Akuntansi"]
    listed = VALIDATOR(RecordType.POSITION, base | {"required_education_fields": ["Hukum"]})
    assert listed["required_education_fields"] == ["Hukum"]
    assert errors(RecordType.POSITION, base | {"required_education_fields": [1]}) == {
        "required_education_fields": ["must be a list of texts, separated by | in a CSV cell"]
    }


def test_flags_accept_true_false_and_digits() -> None:
    base = {"tenant_code": "BKN", "code": "P", "title": "T", "level": "pengawas", "unit": "U"}
    assert VALIDATOR(RecordType.POSITION, base | {"is_key": "1"})["is_key"] is True
    assert VALIDATOR(RecordType.POSITION, base | {"is_key": "false"})["is_key"] is False
    assert errors(RecordType.POSITION, base | {"is_key": "ya"}) == {
        "is_key": ["must be true or false (or 1 / 0)"]
    }
