"""Explanations: why a candidate is (not) eligible for a vacancy, criterion by criterion.

An :class:`Explanation` carries the status (eligible / ineligible / needs_data), every criterion
of the pack with its outcome (pass / fail / not_applicable / missing_data), the requirement and
the candidate's actual values rendered for people, the legal citation, the message and, for each
failure, a counterfactual hint from the criterion's remedy template ("eligible once rank reaches
III/d; now III/c"); then the competency gap table, the JPM and its category, both 9-box axes, the
box with its recommended action, and the succession score, rank and readiness. Missing data is
never silently false: it is its own outcome and, on a hard criterion, its own status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple

from rules import engine, reference
from rules.compiler import CompiledLevel
from rules.conditions import Atom, Condition, ParamRef, atoms, render, render_value, resolve
from rules.derive import AXIS_LABELS, Measures, gap_rows, measure
from rules.engine import ENGINE_VERSION, FAILED, MISSING_DATA
from rules.facts import FIELDS, Fact, build_fact
from rules.pack import Criterion, Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.ranking import Status, readiness
from rules.text import Text
from rules.valuetypes import format_percent
from rules.vocab import PositionLevel, Predicate

Outcome = Literal["pass", "fail", "not_applicable", "missing_data"]
Evaluator = Literal["engine", "reference"]
OUTCOMES: Final[Mapping[int, Outcome]] = {0: "pass", 1: "fail", 2: "missing_data"}
FORMAT: Final = 1
"""Version of the explanation JSON (``docs/rules.md`` documents it)."""


def status_of(compiled: CompiledLevel, codes: bytes) -> tuple[Status, int]:
    """Return the status and the number of soft criteria that failed or lack data."""
    status: Status = "eligible"
    soft = 0
    for hard, code in zip(compiled.hard, codes, strict=True):
        if not code:
            continue
        if not hard:
            soft += 1
        elif code == FAILED:
            status = "ineligible"
        elif status == "eligible":
            status = "needs_data"
    return status, soft


def evaluate_codes(
    compiled: CompiledLevel, facts: Sequence[Fact], evaluator: Evaluator
) -> list[bytes]:
    """Return the outcome codes of ``facts`` from the engine or the reference evaluator."""
    if evaluator == "engine":
        return engine.evaluate(compiled, facts, trusted=True)
    return reference.evaluate(compiled, facts)


class CriterionResult(NamedTuple):
    """The outcome of one criterion for one candidate, ready to show."""

    id: str
    outcome: Outcome
    hard: bool
    origin: str
    citation: str
    message: Text
    expected: Text | None
    """The requirement (``rank ≥ III/d``); ``None`` when not applicable."""
    actual: Text | None
    """The candidate's values of the fields read (``rank = III/c``)."""
    values: Mapping[str, str]
    """Field → rendered value (English) for the fields read that are present."""
    missing_fields: tuple[str, ...]
    hint: Text | None
    """What would change the outcome (failures and missing data)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "id": self.id,
            "outcome": self.outcome,
            "hard": self.hard,
            "origin": self.origin,
            "citation": self.citation,
            "message": self.message.to_data(),
            "expected": self.expected.to_data() if self.expected else None,
            "actual": self.actual.to_data() if self.actual else None,
            "values": dict(self.values),
            "missing_fields": list(self.missing_fields),
            "hint": self.hint.to_data() if self.hint else None,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The full explanation of one candidate for one vacancy."""

    pack: Pack
    context: VacancyContext
    profile: CandidateProfile
    evaluator: str
    status: Status
    criteria: tuple[CriterionResult, ...]
    measures: Measures
    readiness: Text
    rank: int | None
    """Position in the screening's full ordering (1 = first); ``None`` outside a screening."""
    pool_size: int | None

    @property
    def failed(self) -> tuple[str, ...]:
        """Return the hard criteria that failed."""
        return tuple(c.id for c in self.criteria if c.hard and c.outcome == "fail")

    @property
    def missing(self) -> tuple[str, ...]:
        """Return the hard criteria that lack data."""
        return tuple(c.id for c in self.criteria if c.hard and c.outcome == "missing_data")

    @property
    def flags(self) -> tuple[str, ...]:
        """Return the soft criteria that failed or lack data."""
        return tuple(
            c.id for c in self.criteria if not c.hard and c.outcome in ("fail", "missing_data")
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the documented JSON form (``docs/rules.md``, "Explanation JSON")."""
        m = self.measures
        settings = self.pack.settings(self.context.level)
        standard_source = "position" if self.context.competencies else "pack_default"
        jpm = None
        if m.jpm is not None and m.jpm_category is not None:
            _, label_id, label_en = settings.jpm_categories[m.jpm_category]
            jpm = {
                "percent": format_percent(m.jpm),
                "category": {"id": label_id, "en": label_en},
                "source": m.jpm_source,
            }
        box = None
        if m.box is not None:
            action = settings.box_actions[m.box]
            box = {
                "number": m.box,
                "action": {"id": action[0], "en": action[1]},
                "talent_pool": m.box in settings.talent_pool_boxes,
            }
        return {
            "format": FORMAT,
            "pack": {"id": self.pack.id, "version": self.pack.version, "digest": self.pack.digest},
            "engine": ENGINE_VERSION if self.evaluator == "engine" else "reference",
            "vacancy": self.context.to_json(),
            "candidate": {"nip": self.profile.nip, "name": self.profile.name},
            "status": self.status,
            "failed": list(self.failed),
            "missing": list(self.missing),
            "flags": list(self.flags),
            "criteria": [c.to_dict() for c in self.criteria],
            "competency_gap": {
                "standard": standard_source,
                "assessed_on": m.assessed_on.isoformat() if m.assessed_on else None,
                "below_standard": m.gap_count,
                "rows": [
                    {
                        "competency": g.competency,
                        "required": g.required,
                        "actual": g.actual,
                        "gap": g.gap,
                    }
                    for g in gap_rows(self.profile, self.context, settings)
                ],
            },
            "jpm": jpm,
            "axes": {
                "performance": _axis(m.performance_axis, _predicate_name(m.performance_latest)),
                "potential": _axis(m.potential_axis, m.potential_source),
            },
            "box": box,
            "succession": {
                "score": _pct(m.succession_score),
                "performance_score": _pct(m.performance_score),
                "potential_score": _pct(m.jpm),
                "rank": self.rank,
                "pool_size": self.pool_size,
                "shortlisted": self.status == "eligible",
                "readiness": self.readiness.to_data(),
            },
        }

    def render_text(self, lang: Literal["id", "en"] = "en") -> str:
        """Return the explanation as readable text."""
        en = lang == "en"
        c = self.context
        lines = [
            f"{'Candidate' if en else 'Kandidat'} {self.profile.nip}"
            + (f" ({self.profile.name})" if self.profile.name else ""),
            f"{'Vacancy' if en else 'Lowongan'}: {c.position_code or '-'} "
            f"{c.position_title or ''} [{c.level.value}], "
            f"{'reference date' if en else 'tanggal acuan'} {c.reference_date.isoformat()}",
            f"Pack {self.pack.id} {self.pack.version} (sha256 {self.pack.digest[:16]}…), "
            f"{ENGINE_VERSION if self.evaluator == 'engine' else 'reference evaluator'}",
            "",
            f"Status: {self.status.upper()}",
        ]
        marks = {"pass": "PASS", "fail": "FAIL", "missing_data": "MISSING", "not_applicable": "n/a"}
        for r in self.criteria:
            kind = ("hard" if r.hard else "soft") if r.outcome != "not_applicable" else ""
            lines.append(f"  [{marks[r.outcome]:>7}] {r.id:<28} {kind:<4} {r.message.get(lang)}")
            if r.actual and r.outcome != "pass":
                lines.append(f"            {'now' if en else 'saat ini'}: {r.actual.get(lang)}")
            if r.hint:
                lines.append(f"            → {r.hint.get(lang)}")
            if r.outcome in ("fail", "missing_data"):
                lines.append(f"            {r.citation}")
        data = self.to_dict()
        lines += ["", f"{'Competency gap' if en else 'Kesenjangan kompetensi'} "
                  f"({data['competency_gap']['standard']}):"]  # fmt: skip
        for row in data["competency_gap"]["rows"]:
            actual = "-" if row["actual"] is None else str(row["actual"])
            gap = "-" if row["gap"] is None else f"{row['gap']:+d}"
            lines.append(f"  {row['competency']:<34} {row['required']}  {actual:>2}  {gap:>3}")
        if data["jpm"]:
            lines.append(f"JPM {data['jpm']['percent']}% ({data['jpm']['category'][lang]})")
        else:
            lines.append("JPM: -")
        axes = data["axes"]
        for name in ("performance", "potential"):
            axis = axes[name]
            shown = axis["label"][lang] if axis else "-"
            lines.append(f"{name.capitalize() if en else name}: {shown}")
        if data["box"]:
            lines.append(f"9-box: {data['box']['number']} — {data['box']['action'][lang]}")
        else:
            lines.append("9-box: -")
        succession = data["succession"]
        rank = f", rank {succession['rank']} of {succession['pool_size']}" if self.rank else ""
        lines.append(
            f"Succession: score {succession['score'] or '-'}{rank}, "
            f"{'readiness' if en else 'kesiapan'} {self.readiness.get(lang)}"
        )
        return "\n".join(lines)


def _pct(value: int | None) -> str | None:
    return format_percent(value) if value is not None else None


def _predicate_name(ordinal: int | None) -> str | None:
    if ordinal is None:
        return None
    return next(p.value for p in Predicate if p.ordinal == ordinal)


def _axis(value: str | None, source: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    label = AXIS_LABELS[value]
    return {"value": value, "label": {"id": label[0], "en": label[1]}, "from": source}


@dataclass(frozen=True, slots=True)
class _Shown:
    """What every candidate shares for one criterion at one level (rendered once)."""

    criterion: Criterion
    hard: bool
    names: tuple[str, ...]
    message: Text
    expected: Text
    expected_slot: Text


_shown: dict[tuple[str, PositionLevel], tuple[tuple[_Shown, ...], tuple[CriterionResult, ...]]] = {}


def _views(
    pack: Pack, level: PositionLevel
) -> tuple[tuple[_Shown, ...], tuple[CriterionResult, ...]]:
    """Return the applicable criteria's shared texts and the not-applicable results, cached."""
    key = (pack.digest, level)
    found = _shown.get(key)
    if found is None:
        values = pack.param_values(level)
        applicable = []
        for criterion in pack.applicable(level):
            resolved = resolve(criterion.condition, values)
            slot = _expected_slot(resolved)
            applicable.append(
                _Shown(
                    criterion=criterion,
                    hard=pack.is_hard(criterion, level),
                    names=tuple(sorted({a.field for a in atoms(resolved)})),
                    message=criterion.message.fill({"expected": slot.id}, {"expected": slot.en}),
                    expected=Text(render(resolved, "id"), render(resolved, "en")),
                    expected_slot=slot,
                )
            )
        absent = tuple(
            CriterionResult(
                id=c.id,
                outcome="not_applicable",
                hard=False,
                origin=c.origin,
                citation=c.citation,
                message=_message(c, pack),
                expected=None,
                actual=None,
                values={},
                missing_fields=(),
                hint=None,
            )
            for c in pack.criteria
            if level not in c.applies_to
        )
        found = _shown.setdefault(key, (tuple(applicable), absent))
    return found


def criterion_results(
    pack: Pack, context: VacancyContext, fact: Fact, codes: bytes
) -> tuple[CriterionResult, ...]:
    """Return every criterion of the pack, in pack order, with its outcome for this fact."""
    applicable, absent = _views(pack, context.level)
    by_id = {r.id: r for r in absent}
    for shown, code in zip(applicable, codes, strict=True):
        by_id[shown.criterion.id] = _result(shown, code, fact)
    return tuple(by_id[c.id] for c in pack.criteria)


def _message(criterion: Criterion, pack: Pack) -> Text:
    """Fill a not-applicable criterion's message with its values at the levels it applies to."""
    condition = criterion.condition
    if not isinstance(condition, Atom):
        return criterion.message
    shown_id, shown_en = [], []
    for level in criterion.applies_to:
        slot = _expected_slot(resolve(condition, pack.param_values(level)))
        shown_id.append(f"{slot.id} ({level.value})")
        shown_en.append(f"{slot.en} ({level.value})")
    return criterion.message.fill(
        {"expected": ", ".join(shown_id)}, {"expected": ", ".join(shown_en)}
    )


def _expected_slot(condition: Condition) -> Text:
    if isinstance(condition, Atom):
        value = condition.value
        assert not isinstance(value, ParamRef)
        return Text(
            render_value(condition.field, value, "id"), render_value(condition.field, value, "en")
        )
    return Text(render(condition, "id"), render(condition, "en"))


def _result(shown: _Shown, code: int, fact: Fact) -> CriterionResult:
    present = {n: fact[n] for n in shown.names if n in fact}
    missing = tuple(n for n in shown.names if n not in fact)
    hint = None
    if code == FAILED:
        actual_slot = _actual_slot(present)
        hint = shown.criterion.remedy.fill(
            {"expected": shown.expected_slot.id, "actual": actual_slot.id},
            {"expected": shown.expected_slot.en, "actual": actual_slot.en},
        )
    elif code == MISSING_DATA:
        hint = Text(
            f"data belum tersedia: {', '.join(missing)}",
            f"needs data: {', '.join(missing)}",
        )
    return CriterionResult(
        id=shown.criterion.id,
        outcome=OUTCOMES[code],
        hard=shown.hard,
        origin=shown.criterion.origin,
        citation=shown.criterion.citation,
        message=shown.message,
        expected=shown.expected,
        actual=_actual_text(present, missing),
        values={n: FIELDS[n].type.render(v, "en") for n, v in present.items()},
        missing_fields=missing,
        hint=hint,
    )


def _actual_slot(present: Mapping[str, Any]) -> Text:
    if len(present) == 1:
        ((name, value),) = present.items()
        vtype = FIELDS[name].type
        return Text(vtype.render(value, "id"), vtype.render(value, "en"))
    return Text(
        ", ".join(f"{n} = {FIELDS[n].type.render(v, 'id')}" for n, v in present.items()),
        ", ".join(f"{n} = {FIELDS[n].type.render(v, 'en')}" for n, v in present.items()),
    )


def _actual_text(present: Mapping[str, Any], missing: Sequence[str]) -> Text:
    parts_id = [f"{n} = {FIELDS[n].type.render(v, 'id')}" for n, v in present.items()]
    parts_en = [f"{n} = {FIELDS[n].type.render(v, 'en')}" for n, v in present.items()]
    parts_id += [f"{n} tidak ada" for n in missing]
    parts_en += [f"{n} unknown" for n in missing]
    return Text(", ".join(parts_id), ", ".join(parts_en))


def explain(
    pack: Pack,
    context: VacancyContext,
    profile: CandidateProfile,
    *,
    evaluator: Evaluator = "engine",
    codes: bytes | None = None,
    rank: int | None = None,
    pool_size: int | None = None,
) -> Explanation:
    """Return the explanation of ``profile`` for the vacancy (evaluating it unless ``codes``).

    :raises PackInvalid: the pack does not decide the vacancy's level.
    :raises PackNotEffective: the reference date is outside the pack's effective period.
    :raises EngineError: the engine failed.
    """
    pack.check_level(context.level)
    pack.check_effective(context.reference_date)
    settings = pack.settings(context.level)
    measures = measure(profile, context, settings)
    fact = build_fact(profile, context, settings, measures)
    compiled = pack.compiled(context.level)
    if codes is None:
        (codes,) = evaluate_codes(compiled, [fact], evaluator)
    status, soft = status_of(compiled, codes)
    label = readiness(pack.ranking.readiness, pack.ranking.otherwise, status, measures.box, soft)
    return Explanation(
        pack=pack,
        context=context,
        profile=profile,
        evaluator=evaluator,
        status=status,
        criteria=criterion_results(pack, context, fact, codes),
        measures=measures,
        readiness=label,
        rank=rank,
        pool_size=pool_size,
    )
