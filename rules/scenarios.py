"""Scenario tests for rule packs, like ``opa test``: given a profile and a vacancy, expect …

A scenario file (``rules/packs/<pack>/scenarios/*.yaml``) has optional ``defaults`` (a vacancy and
a base profile) and a list of ``scenarios``; each names itself, overrides parts of the vacancy or
profile (mappings merge key by key, anything else replaces; ``null`` removes a field) and states
what it expects::

    defaults:
      vacancy: {level: administrator, reference_date: 2026-03-01}
      profile: {nip: "198003152005012001", birth_date: 1980-03-15, ...}
    scenarios:
      - name: rank one grade short
        profile: {rank: III/c}
        expect:
          status: ineligible
          failed: [rank.minimum]
          criteria: {rank.minimum: fail, education.minimum: pass}
          hints: {rank.minimum: "reaches III/d; now III/c"}

Expectations: ``status``, ``failed`` / ``missing`` / ``flags`` (exact lists of hard failures,
hard missing data and soft findings), ``criteria`` (id → outcome), ``box`` (number or null),
``readiness`` (the Indonesian or English label), ``jpm`` (``"82.50"`` or null) and ``hints``
(id → text the English or Indonesian hint contains). Every scenario is run on the engine and on
the reference evaluator, which must agree. Coverage counts, for every criterion the pack itself
introduces or changes, whether some scenario saw it pass and some saw it fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from rules.conditions import fields, resolve
from rules.errors import Problem, ProfileInvalid, RulesError, ScenarioInvalid
from rules.explain import Explanation, explain
from rules.facts import CONVERTER_INPUTS
from rules.pack import Pack, read_yaml
from rules.profile import CandidateProfile, VacancyContext

_EXPECT_KEYS: Final = frozenset(
    {"status", "failed", "missing", "flags", "criteria", "box", "readiness", "jpm", "hints"}
)
_OUTCOMES: Final = frozenset({"pass", "fail", "missing_data", "not_applicable"})


@dataclass(frozen=True, slots=True)
class Scenario:
    """One given/expect case."""

    file: str
    name: str
    vacancy: Mapping[str, Any]
    profile: Mapping[str, Any]
    expect: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """The outcome of one scenario: the explanation and every unmet expectation."""

    scenario: Scenario
    explanation: Explanation | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Return whether every expectation held."""
        return not self.problems


@dataclass
class Report:
    """All scenario results of a pack and its criterion coverage."""

    pack: Pack
    results: list[ScenarioResult] = field(default_factory=list)
    coverage: dict[str, set[str]] = field(default_factory=dict)
    """Criterion id → outcomes seen, for the criteria the pack introduces or changes."""

    @property
    def failures(self) -> list[ScenarioResult]:
        """Return the scenarios whose expectations did not hold."""
        return [r for r in self.results if not r.ok]

    @property
    def uncovered(self) -> list[str]:
        """Return the covered criteria not yet seen both passing and failing."""
        return [c for c, seen in self.coverage.items() if not {"pass", "fail"} <= seen]

    @property
    def coverage_ratio(self) -> float:
        """Return the share of criteria seen both passing and failing (1.0 when there are none)."""
        if not self.coverage:
            return 1.0
        return 1 - len(self.uncovered) / len(self.coverage)


def load_scenarios(directory: Path) -> list[Scenario]:
    """Read every ``*.yaml`` scenario file in ``directory`` (sorted by name).

    :raises ScenarioInvalid: naming the file, scenario and field of every malformed entry.
    """
    problems: list[Problem] = []
    out: list[Scenario] = []
    for path in sorted(directory.glob("*.yaml")):
        out.extend(_read_file(path, problems))
    if problems:
        raise ScenarioInvalid(f"invalid scenarios in {directory}", problems)
    return out


def _read_file(path: Path, problems: list[Problem]) -> list[Scenario]:
    file = str(path)
    try:
        data = read_yaml(path)
    except RulesError as exc:
        problems.extend(exc.problems)
        return []
    if not isinstance(data, Mapping) or set(data) - {"defaults", "scenarios"}:
        problems.append(Problem("expected the keys defaults and scenarios", file))
        return []
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping) or set(defaults) - {"vacancy", "profile"}:
        problems.append(Problem("defaults has vacancy and profile", file, field="defaults"))
        return []
    items = data.get("scenarios")
    if not isinstance(items, list) or not items:
        problems.append(Problem("scenarios is a non-empty list", file, field="scenarios"))
        return []
    out = []
    names: set[str] = set()
    for i, item in enumerate(items):
        where = f"scenarios[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"name", "vacancy", "profile", "expect"}:
            problems.append(
                Problem("expected name, vacancy, profile and expect", file, field=where)
            )
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name or name in names:
            problems.append(Problem("every scenario has a unique name", file, field=where))
            continue
        names.add(name)
        expect = item.get("expect")
        if not isinstance(expect, Mapping) or not expect or set(expect) - _EXPECT_KEYS:
            unknown = (
                sorted(set(expect or {}) - _EXPECT_KEYS) if isinstance(expect, Mapping) else []
            )
            problems.append(
                Problem(
                    f"expect is a non-empty mapping of {', '.join(sorted(_EXPECT_KEYS))}"
                    + (f"; unknown {unknown}" if unknown else ""),
                    file,
                    field=f"{where} ({name}).expect",
                )
            )
            continue
        outcomes = expect.get("criteria", {})
        if not isinstance(outcomes, Mapping) or not set(outcomes.values()) <= _OUTCOMES:
            problems.append(
                Problem(
                    f"criteria maps ids to one of {sorted(_OUTCOMES)}",
                    file,
                    field=f"{where} ({name}).expect.criteria",
                )
            )
            continue
        out.append(
            Scenario(
                file=file,
                name=name,
                vacancy=_merge(defaults.get("vacancy") or {}, item.get("vacancy") or {}),
                profile=_merge(defaults.get("profile") or {}, item.get("profile") or {}),
                expect=expect,
            )
        )
    return out


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return {k: v for k, v in out.items() if v is not None}


def run(pack: Pack, scenarios: Sequence[Scenario], *, parent: Pack | None = None) -> Report:
    """Run ``scenarios`` against ``pack`` (an overlay's coverage is measured against ``parent``)."""
    report = Report(pack, coverage={cid: set() for cid in covered_criteria(pack, parent)})
    for scenario in scenarios:
        result = _run_one(pack, scenario)
        report.results.append(result)
        if result.explanation is not None:
            for criterion in result.explanation.criteria:
                if criterion.id in report.coverage:
                    report.coverage[criterion.id].add(criterion.outcome)
    return report


def covered_criteria(pack: Pack, parent: Pack | None) -> list[str]:
    """Return the criteria a pack's scenarios must cover: those it introduces or changes."""
    if parent is None:
        return [c.id for c in pack.criteria]
    out = []
    for criterion in pack.criteria:
        if criterion.origin == pack.id:
            out.append(criterion.id)
            continue
        before = parent.criterion(criterion.id)
        if before.applies_to != criterion.applies_to or any(
            _compiled(parent, level, criterion.id) != _compiled(pack, level, criterion.id)
            for level in criterion.applies_to
        ):
            out.append(criterion.id)
    return out


def _compiled(pack: Pack, level: Any, criterion_id: str) -> tuple[object, ...] | None:
    """Return what decides a criterion at a level: its resolved condition, hardness, and the
    values of the converter parameters behind the fields it reads."""
    criterion = pack.criterion(criterion_id)
    if level not in criterion.applies_to:
        return None
    values = pack.param_values(level)
    inputs = sorted({p for f in fields(criterion.condition) for p in CONVERTER_INPUTS.get(f, ())})
    return (
        resolve(criterion.condition, values),
        pack.is_hard(criterion, level),
        tuple(values.get(p) for p in inputs),
    )


def _run_one(pack: Pack, scenario: Scenario) -> ScenarioResult:
    try:
        context = VacancyContext.from_json(scenario.vacancy, where=f"{scenario.file}: vacancy")
        profile = CandidateProfile.from_json(scenario.profile, where=f"{scenario.file}: profile")
        got = explain(pack, context, profile, evaluator="engine")
        reference = explain(pack, context, profile, evaluator="reference")
    except (ProfileInvalid, RulesError) as exc:
        return ScenarioResult(scenario, None, (str(exc),))
    problems = []
    if [c.outcome for c in got.criteria] != [c.outcome for c in reference.criteria]:
        problems.append("engine and reference evaluator disagree")
    problems.extend(_check(got, scenario.expect))
    return ScenarioResult(scenario, got, tuple(problems))


def _check(got: Explanation, expect: Mapping[str, Any]) -> list[str]:
    problems = []
    outcomes = {c.id: c for c in got.criteria}
    if "status" in expect and expect["status"] != got.status:
        problems.append(f"status: expected {expect['status']}, got {got.status}")
    for key, actual in (("failed", got.failed), ("missing", got.missing), ("flags", got.flags)):
        if key in expect and sorted(expect[key] or []) != sorted(actual):
            problems.append(f"{key}: expected {sorted(expect[key] or [])}, got {sorted(actual)}")
    for cid, outcome in (expect.get("criteria") or {}).items():
        found = outcomes.get(cid)
        if found is None:
            problems.append(f"criterion {cid}: not in the pack")
        elif found.outcome != outcome:
            problems.append(f"criterion {cid}: expected {outcome}, got {found.outcome}")
    if "box" in expect and expect["box"] != got.measures.box:
        problems.append(f"box: expected {expect['box']}, got {got.measures.box}")
    if "readiness" in expect and expect["readiness"] not in (got.readiness.id, got.readiness.en):
        problems.append(f"readiness: expected {expect['readiness']}, got {got.readiness.en}")
    if "jpm" in expect:
        jpm = got.to_dict()["jpm"]
        shown = jpm["percent"] if jpm else None
        if str(expect["jpm"]) != str(shown) and not (expect["jpm"] is None and shown is None):
            problems.append(f"jpm: expected {expect['jpm']}, got {shown}")
    for cid, text in (expect.get("hints") or {}).items():
        found = outcomes.get(cid)
        hint = found.hint if found else None
        if hint is None or (str(text) not in hint.en and str(text) not in hint.id):
            shown = f"{hint.en!r}" if hint else "no hint"
            problems.append(f"hint of {cid}: expected it to contain {text!r}, got {shown}")
    return problems


def coverage_lines(report: Report) -> list[str]:
    """Return one line per covered criterion: the outcomes seen and whether it is covered."""
    lines = []
    for cid, seen in report.coverage.items():
        mark = "ok " if {"pass", "fail"} <= seen else "GAP"
        lines.append(f"  [{mark}] {cid:<32} seen: {', '.join(sorted(seen)) or 'never evaluated'}")
    return lines
