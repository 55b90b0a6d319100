"""Errors of the rules layer; each problem names the file, criterion and field it is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One specific thing wrong with a rule pack, a fact or a scenario."""

    message: str
    file: str | None = None
    criterion: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, str]:
        """Return the non-empty parts as a dict (for JSON error bodies)."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        where = ", ".join(
            f"{k} {v}"
            for k, v in (("file", self.file), ("criterion", self.criterion), ("field", self.field))
            if v
        )
        return f"{where}: {self.message}" if where else self.message


class RulesError(Exception):
    """Base of every rules-layer error."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems = list(problems)
        self.message = message
        text = (
            message
            if not self.problems
            else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        )
        super().__init__(text)


class PackInvalid(RulesError):
    """A rule pack failed validation (schema, fields, types, ids, reachability, tightening)."""


class FactInvalid(RulesError):
    """A fact does not match the documented fact schema (type, range, or a forbidden value)."""


class EngineError(RulesError):
    """The rules engine failed: an action raised, or the engine returned something impossible."""


class ProfileInvalid(RulesError):
    """A candidate profile or vacancy description is malformed (each problem names the field)."""


class PackNotEffective(RulesError):
    """The vacancy's reference date lies outside the rule pack's effective period."""


class ScenarioInvalid(RulesError):
    """A scenario file is malformed (each problem names the file, scenario and field)."""
