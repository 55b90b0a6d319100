"""Bilingual text: every message, hint and label is written in Indonesian and English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from rules.valuetypes import Lang


class Text(NamedTuple):
    """A text in Indonesian (``id``) and English (``en``), possibly with ``{name}`` slots."""

    id: str
    en: str

    def get(self, lang: Lang) -> str:
        """Return the text in ``lang``."""
        return self.en if lang == "en" else self.id

    def fill(self, id_slots: Mapping[str, str], en_slots: Mapping[str, str]) -> Text:
        """Return the text with its ``{name}`` slots filled, each language with its own values."""
        return Text(self.id.format_map(_Slots(id_slots)), self.en.format_map(_Slots(en_slots)))

    def to_data(self) -> dict[str, str]:
        """Return ``{"id": …, "en": …}``."""
        return {"id": self.id, "en": self.en}


class _Slots(dict[str, str]):
    """Leaves an unknown ``{slot}`` as written instead of raising."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
