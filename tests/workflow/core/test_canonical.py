"""Canonical JSON is RFC 8785 for every value we accept, and refuses values that could drift."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from workflow.core.canonical import (
    MAX_SAFE_INTEGER,
    NotCanonicalisable,
    canonical_json,
    check_value,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_is_rfc8785_and_round_trips(value: Any) -> None:
    text = canonical_json(value)
    assert text.encode("utf-8") == rfc8785.dumps(value)
    assert json.loads(text) == value
    assert canonical_json(json.loads(text)) == text


def test_members_sort_by_utf16_code_units_not_code_points() -> None:
    """U+1F600 is D83D DE00 in UTF-16: it sorts before U+FB01, whose code point is smaller."""
    value = {"\ufb01": 1, "\U0001f600": 2, "a": 3}
    assert canonical_json(value) == '{"a":3,"\U0001f600":2,"\ufb01":1}'
    assert json.dumps(value, sort_keys=True) != canonical_json(value)


@pytest.mark.parametrize(
    ("value", "path", "reason"),
    [
        ({"score": 1.0}, "$.score", "float 1.0 is not allowed"),
        ({"n": [1, 2, MAX_SAFE_INTEGER + 1]}, "$.n[2]", "outside"),
        ({"n": -MAX_SAFE_INTEGER - 1}, "$.n", "outside"),
        ({"s": "\udc80"}, "$.s", "lone surrogate"),
        ({"\ud800": 1}, "$ key '\\ud800'", "lone surrogate"),
        ({1: "one"}, "$", "key 1 is not a string"),
        ({"when": b"bytes"}, "$.when", "bytes is not a JSON value"),
    ],
)
def test_values_that_could_drift_are_refused_with_their_path(
    value: Any, path: str, reason: str
) -> None:
    with pytest.raises(NotCanonicalisable) as caught:
        check_value(value)
    assert caught.value.path == path
    assert reason in caught.value.reason
    with pytest.raises(NotCanonicalisable):
        canonical_json(value)


def test_control_characters_and_non_ascii_are_escaped_as_rfc8785_says() -> None:
    assert canonical_json(["\x01\x7f\n\u00e9\u2028"]) == '["\\u0001\x7f\\n\u00e9\u2028"]'
