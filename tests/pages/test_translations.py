"""The catalogues: every Indonesian message translated, and the committed .mo files compiled
from the .po files beside them (so a fresh clone speaks both languages without a build step)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "pages" / "translations"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_committed_mo_is_the_compiled_po(locale: str) -> None:
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po:
        catalog = read_po(po)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert (folder / "messages.mo").read_bytes() == compiled.getvalue(), (
        f"pages/translations/{locale}: run `make translations` and commit the .mo"
    )


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_message_is_translated(locale: str) -> None:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert len(catalog) > 100
