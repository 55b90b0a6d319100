"""Shared rule-test fixtures: the shipped packs."""

from __future__ import annotations

import pytest

from rules.pack import Pack, load_shipped


@pytest.fixture(scope="session")
def packs() -> dict[str, Pack]:
    """The shipped packs by id."""
    return load_shipped()


@pytest.fixture(scope="session")
def national(packs: dict[str, Pack]) -> Pack:
    """The bkn-national pack."""
    return packs["bkn-national"]
