"""Validating a pack document: its structure, parameters, criteria, derived tables and ranking.

Every problem is collected, each naming the file, the criterion and the field, and reported
together (:class:`rules.errors.PackInvalid`). Beyond the schema, each criterion is checked at each
level it applies to: it must be able both to pass and to fail (decided exactly by the finite
analysis of :mod:`rules.conditions`), and every level's compiled ruleset must stay inside
durable_rules' fixed network limits. An overlay is first resolved against its parent and then
checked to only tighten it (:mod:`rules.pack.overlays`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from rules.compiler import network_problems
from rules.conditions import ConditionParser, ParamRef, Value, params_used, resolve, truth_table
from rules.derive import PERFORMANCE_AXIS, POTENTIAL_AXIS
from rules.errors import PackInvalid, Problem
from rules.pack.model import (
    CONVERTER_PARAMETERS,
    FORMAT,
    TIGHTEN,
    Criterion,
    Derived,
    LegalBasis,
    Pack,
    ParamDef,
    ParentRef,
    Ranking,
)
from rules.pack.overlays import check_tightens, resolve_overlay
from rules.ranking import SORT_KEYS, STATUS_ORDER, RankKey, ReadinessRule
from rules.text import Text
from rules.valuetypes import TYPES, LiteralError, ValueType, percent_hundredths
from rules.vocab import TECHNICAL_PREFIX, Competency, PositionLevel, Predicate

_ROOT_KEYS: Final = frozenset(
    {
        "id", "version", "title", "effective_from", "effective_to", "legal_basis", "levels",
        "parameters", "criteria", "derived", "ranking", "parent",
    }
)  # fmt: skip
_CRITERION_KEYS: Final = frozenset(
    {"id", "applies_to", "hard", "condition", "citation", "message", "remedy", "origin"}
)
_PARAM_KEYS: Final = frozenset(
    {"type", "list", "tighten", "value", "per_level", "source", "note", "unconfirmed"}
)
_COMPETENCIES: Final = tuple(c.value for c in Competency)


def pack_from_document(
    data: object, *, file: str, parent: Pack | None, resolved: bool = False
) -> Pack:
    """Validate a pack document (a root pack, an overlay with its parent, or a resolved pack).

    :raises PackInvalid: with every problem found.
    """
    reader = _PackReader(file)
    overlay = parent is not None and not resolved
    if overlay:
        assert parent is not None
        data = resolve_overlay(data, parent, reader.fail)
    pack = reader.pack(data, resolved=resolved or overlay)
    if pack is not None and overlay:
        assert parent is not None
        check_tightens(pack, parent, reader.fail)
    if pack is not None:
        reader.check_reachable(pack)
    if reader.problems or pack is None:
        raise PackInvalid(f"invalid rule pack {file}", reader.problems)
    return pack


class _PackReader:
    """Reads and checks pack documents, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, message: str, *, criterion: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(message, self.file, criterion, field))

    # -------------------------------------------------------- document structure

    def _text(self, raw: object, where: str, criterion: str | None = None) -> Text | None:
        if (
            isinstance(raw, Mapping)
            and set(raw) == {"id", "en"}
            and all(isinstance(raw[k], str) and raw[k].strip() for k in ("id", "en"))
        ):
            return Text(raw["id"], raw["en"])
        self.fail(
            "expected {id: Indonesian text, en: English text}", criterion=criterion, field=where
        )
        return None

    def _str(self, raw: object, where: str, criterion: str | None = None) -> str | None:
        if isinstance(raw, str) and raw.strip():
            return raw
        self.fail("expected non-empty text", criterion=criterion, field=where)
        return None

    def _date(self, raw: object, where: str) -> dt.date | None:
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.fail(f"expected a date YYYY-MM-DD, got {raw!r}", field=where)
        return None

    def _levels(
        self, raw: object, where: str, criterion: str | None = None
    ) -> tuple[PositionLevel, ...] | None:
        if not isinstance(raw, list):
            self.fail("expected a list of position levels", criterion=criterion, field=where)
            return None
        out = []
        for item in raw:
            try:
                out.append(PositionLevel(item))
            except ValueError:
                self.fail(f"unknown position level {item!r}", criterion=criterion, field=where)
                return None
        if len(set(out)) != len(out):
            self.fail("a level is listed twice", criterion=criterion, field=where)
        return tuple(out)

    def _keys(
        self,
        raw: Mapping[str, Any],
        allowed: frozenset[str],
        where: str,
        criterion: str | None = None,
    ) -> None:
        for key in sorted(set(raw) - allowed, key=str):
            self.fail(
                f"unknown key {key!r}",
                criterion=criterion,
                field=f"{where}.{key}" if where else str(key),
            )

    def pack(self, data: object, *, resolved: bool) -> Pack | None:
        if not isinstance(data, Mapping):
            self.fail("a pack is a YAML mapping")
            return None
        self._keys(data, _ROOT_KEYS | ({"format"} if resolved else frozenset()), "")
        if resolved and data.get("format") != FORMAT:
            self.fail(f"unsupported pack format {data.get('format')!r}", field="format")
        pack_id = self._str(data.get("id"), "id")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            self.fail('version is text, e.g. "2026.1.0" (quote it in YAML)', field="version")
            version = None
        title = self._text(data.get("title"), "title")
        effective_from = self._date(data.get("effective_from"), "effective_from")
        effective_to = None
        if data.get("effective_to") is not None:
            effective_to = self._date(data.get("effective_to"), "effective_to")
            if effective_from and effective_to and effective_to < effective_from:
                self.fail("effective_to is before effective_from", field="effective_to")
        legal = self._legal_basis(data.get("legal_basis"))
        levels = self._levels(data.get("levels"), "levels") or ()
        if not levels:
            self.fail("a pack decides at least one level", field="levels")
        parent = None
        if data.get("parent") is not None:
            parent = self._parent_ref(data["parent"])
        params = self._params(data.get("parameters"), levels)
        criteria = self._criteria(data.get("criteria"), levels, params, pack_id or "?", resolved)
        derived = self._derived(data.get("derived"), levels)
        ranking = self._ranking(data.get("ranking"))
        for name, (type_name, is_list) in CONVERTER_PARAMETERS.items():
            param = params.get(name)
            if param is None:
                self.fail(f"required parameter {name} is missing", field=f"parameters.{name}")
            elif param.type.name != type_name or param.is_list != is_list:
                wanted = f"list of {type_name}" if is_list else type_name
                self.fail(f"{name} must be a {wanted}", field=f"parameters.{name}")
            else:
                for level in levels:
                    value = param.value_for(level)
                    if value is None:
                        self.fail(
                            f"{name} has no value for {level.value}", field=f"parameters.{name}"
                        )
                    elif name == "performance_window_years" and value == 0:
                        self.fail(
                            "the performance window is at least one year",
                            field=f"parameters.{name}",
                        )
        if (
            pack_id is None
            or version is None
            or title is None
            or effective_from is None
            or legal is None
            or derived is None
            or ranking is None
            or criteria is None
        ):
            return None
        return Pack(
            id=pack_id,
            version=version,
            title=title,
            effective_from=effective_from,
            effective_to=effective_to,
            legal_basis=legal,
            levels=levels,
            parent=parent,
            params=params,
            criteria=criteria,
            derived=derived,
            ranking=ranking,
            source=self.file,
        )

    def _legal_basis(self, raw: object) -> tuple[LegalBasis, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.fail("legal_basis is a non-empty list of {ref, title, note}", field="legal_basis")
            return None
        out = []
        for i, item in enumerate(raw):
            where = f"legal_basis[{i}]"
            if not isinstance(item, Mapping):
                self.fail("expected {ref, title, note}", field=where)
                continue
            self._keys(item, frozenset({"ref", "title", "note"}), where)
            ref = self._str(item.get("ref"), f"{where}.ref")
            title = self._str(item.get("title"), f"{where}.title")
            note = item.get("note", "")
            if ref and title:
                out.append(LegalBasis(ref, title, note if isinstance(note, str) else ""))
        return tuple(out)

    def _parent_ref(self, raw: object) -> ParentRef | None:
        if isinstance(raw, Mapping) and all(
            isinstance(raw.get(k), str) for k in ("id", "version", "digest")
        ):
            return ParentRef(raw["id"], raw["version"], raw["digest"])
        self.fail("a resolved pack names its parent as {id, version, digest}", field="parent")
        return None

    # -------------------------------------------------------- parameters

    def _params(self, raw: object, levels: Sequence[PositionLevel]) -> dict[str, ParamDef]:
        if not isinstance(raw, Mapping):
            self.fail("parameters is a mapping of name: definition", field="parameters")
            return {}
        out = {}
        for name, spec in raw.items():
            param = self._param(str(name), spec, levels)
            if param is not None:
                out[str(name)] = param
        return out

    def _param(self, name: str, spec: object, levels: Sequence[PositionLevel]) -> ParamDef | None:
        where = f"parameters.{name}"
        if not isinstance(spec, Mapping):
            self.fail("expected a parameter definition", field=where)
            return None
        self._keys(spec, _PARAM_KEYS, where)
        vtype = TYPES.get(spec.get("type"))  # type: ignore[arg-type]
        if vtype is None:
            self.fail(
                f"unknown type {spec.get('type')!r}; one of {', '.join(TYPES)}",
                field=f"{where}.type",
            )
            return None
        is_list = spec.get("list", False)
        tighten = spec.get("tighten")
        if not isinstance(is_list, bool):
            self.fail("list is true or false", field=f"{where}.list")
            return None
        if (
            tighten not in TIGHTEN
            or (tighten in ("subset", "superset")) != is_list
            or (tighten in ("min", "max") and not (vtype.ordered or vtype.kind == "bool"))
        ):
            allowed = "subset, superset or fixed" if is_list else "min, max or fixed"
            self.fail(
                f"tighten must be one of {allowed} for this parameter", field=f"{where}.tighten"
            )
            return None
        has_value, has_levels = "value" in spec, "per_level" in spec
        if has_value == has_levels:
            self.fail("give either value (all levels) or per_level", field=where)
            return None
        default = None
        per_level: dict[PositionLevel, Value] = {}
        if has_value:
            default = self._param_value(vtype, is_list, spec["value"], f"{where}.value")
            if default is None:
                return None
        else:
            table = spec["per_level"]
            if not isinstance(table, Mapping) or not table:
                self.fail("per_level maps levels to values", field=f"{where}.per_level")
                return None
            for key, raw_value in table.items():
                try:
                    level = PositionLevel(key)
                except ValueError:
                    self.fail(f"unknown position level {key!r}", field=f"{where}.per_level")
                    return None
                if level not in levels:
                    self.fail(
                        f"{level.value} is not one of the pack's levels", field=f"{where}.per_level"
                    )
                value = self._param_value(vtype, is_list, raw_value, f"{where}.per_level.{key}")
                if value is None:
                    return None
                per_level[level] = value
        unconfirmed = spec.get("unconfirmed", False)
        if not isinstance(unconfirmed, bool):
            self.fail("unconfirmed is true or false", field=f"{where}.unconfirmed")
            unconfirmed = False
        source, note = spec.get("source", ""), spec.get("note", "")
        return ParamDef(
            name=name,
            type=vtype,
            is_list=is_list,
            tighten=tighten,
            default=default,
            per_level=per_level,
            source=source if isinstance(source, str) else "",
            note=note if isinstance(note, str) else "",
            unconfirmed=unconfirmed,
        )

    def _param_value(
        self, vtype: ValueType, is_list: bool, raw: object, where: str
    ) -> Value | None:
        try:
            if is_list:
                if not isinstance(raw, list):
                    raise LiteralError("expected a list")
                return tuple(sorted({vtype.parse(v) for v in raw}, key=lambda v: (str(type(v)), v)))
            return vtype.parse(raw)
        except LiteralError as exc:
            self.fail(f"a {vtype.name} {'list ' if is_list else ''}value: {exc}", field=where)
            return None

    # -------------------------------------------------------- criteria

    def _criteria(
        self,
        raw: object,
        levels: Sequence[PositionLevel],
        params: Mapping[str, ParamDef],
        pack_id: str,
        resolved: bool,
    ) -> tuple[Criterion, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.fail("criteria is a non-empty list", field="criteria")
            return None
        param_types = {n: (p.type, p.is_list) for n, p in params.items()}
        seen: set[str] = set()
        out = []
        for i, item in enumerate(raw):
            where = f"criteria[{i}]"
            if not isinstance(item, Mapping):
                self.fail("expected a criterion mapping", field=where)
                continue
            cid = item.get("id")
            if not isinstance(cid, str) or not cid or any(ch in cid for ch in "#~ "):
                self.fail("id is text without spaces, '#' or '~'", field=f"{where}.id")
                continue
            if cid in seen:
                self.fail("duplicate criterion id", criterion=cid, field="id")
                continue
            seen.add(cid)
            self._keys(item, _CRITERION_KEYS if resolved else _CRITERION_KEYS - {"origin"}, "", cid)
            applies = self._levels(item.get("applies_to"), "applies_to", cid)
            if applies is not None:
                if not applies:
                    self.fail(
                        "applies to no level: the criterion can never be evaluated",
                        criterion=cid,
                        field="applies_to",
                    )
                for level in applies:
                    if level not in levels:
                        self.fail(
                            f"{level.value} is not one of the pack's levels",
                            criterion=cid,
                            field="applies_to",
                        )
            hard = self._hard(item.get("hard"), params, cid)
            parser = ConditionParser(param_types, file=self.file, criterion=cid)
            condition = parser.parse(item.get("condition"), "condition")
            self.problems.extend(parser.problems)
            citation = self._str(item.get("citation"), "citation", cid)
            message = self._text(item.get("message"), "message", cid)
            remedy = self._text(item.get("remedy"), "remedy", cid)
            origin = item.get("origin", pack_id) if resolved else pack_id
            if (
                applies is None
                or hard is None
                or condition is None
                or citation is None
                or message is None
                or remedy is None
            ):
                continue
            out.append(
                Criterion(cid, applies, hard, condition, citation, message, remedy, str(origin))
            )
        return tuple(out)

    def _hard(
        self, raw: object, params: Mapping[str, ParamDef], cid: str
    ) -> bool | ParamRef | None:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, Mapping) and set(raw) == {"param"}:
            param = params.get(raw["param"])
            if param is not None and param.type.name == "bool" and not param.is_list:
                return ParamRef(raw["param"])
            self.fail(
                f"hard refers to {raw['param']!r}, which is not a bool parameter",
                criterion=cid,
                field="hard",
            )
            return None
        self.fail("hard is true, false or {param: a bool parameter}", criterion=cid, field="hard")
        return None

    def check_reachable(self, pack: Pack) -> None:
        """Check every criterion at every level it applies to, then the compiled networks."""
        for criterion in pack.criteria:
            used = list(params_used(criterion.condition))
            if isinstance(criterion.hard, ParamRef):
                used.append(criterion.hard.name)
            for level in criterion.applies_to:
                values = pack.param_values(level)
                missing = [p for p in used if p not in values]
                if missing:
                    self.fail(
                        f"parameter {', '.join(missing)} has no value for {level.value}",
                        criterion=criterion.id,
                        field="condition",
                    )
                    continue
                truths = truth_table(resolve(criterion.condition, values))
                if truths == {False}:
                    self.fail(
                        f"can never pass at {level.value} (unsatisfiable)",
                        criterion=criterion.id,
                        field="condition",
                    )
                elif truths == {True}:
                    self.fail(
                        f"can never fail at {level.value} (always true)",
                        criterion=criterion.id,
                        field="condition",
                    )
        if self.problems:
            return
        for level in pack.levels:
            for problem in network_problems(pack.compiled(level).definition):
                self.fail(f"{level.value}: {problem}", field="criteria")

    # -------------------------------------------------------- derived measures and ranking

    def _derived(self, raw: object, levels: Sequence[PositionLevel]) -> Derived | None:
        if not isinstance(raw, Mapping):
            self.fail("derived is a mapping of the derived-measure tables", field="derived")
            return None
        allowed = frozenset(
            {
                "jpm_from_scores", "potential_cutoffs", "jpm_categories", "performance_axis",
                "nine_box", "box_actions", "competency_standard", "performance_scores",
                "succession_weights",
            }
        )  # fmt: skip
        self._keys(raw, allowed, "derived")
        before = len(self.problems)
        jpm_from_scores = raw.get("jpm_from_scores")
        if not isinstance(jpm_from_scores, bool):
            self.fail("expected true or false", field="derived.jpm_from_scores")
        cutoffs = self._mapping(
            raw.get("potential_cutoffs"),
            "derived.potential_cutoffs",
            ("tinggi", "menengah"),
            self._percent,
        )
        categories = self._categories(raw.get("jpm_categories"))
        predicates = {p.value: p.ordinal for p in Predicate}
        axis = self._mapping(
            raw.get("performance_axis"),
            "derived.performance_axis",
            tuple(predicates),
            lambda v, w: (
                v
                if v in PERFORMANCE_AXIS
                else self._bad(w, f"one of {', '.join(PERFORMANCE_AXIS)}")
            ),
        )
        scores = self._mapping(
            raw.get("performance_scores"),
            "derived.performance_scores",
            tuple(predicates),
            lambda v, w: (
                v
                if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100
                else self._bad(w, "a score 0-100")
            ),
        )
        nine = self._nine_box(raw.get("nine_box"))
        actions = self._box_actions(raw.get("box_actions"))
        standard = self._standards(raw.get("competency_standard"), levels)
        weights = self._mapping(
            raw.get("succession_weights"),
            "derived.succession_weights",
            ("performance", "potential"),
            lambda v, w: (
                v
                if isinstance(v, int) and not isinstance(v, bool) and v >= 0
                else self._bad(w, "a non-negative whole number")
            ),
        )
        if weights is not None and sum(weights.values()) == 0:
            self.fail("the weights cannot both be 0", field="derived.succession_weights")
        if (
            len(self.problems) > before
            or not isinstance(jpm_from_scores, bool)
            or cutoffs is None
            or categories is None
            or axis is None
            or scores is None
            or nine is None
            or actions is None
            or standard is None
            or weights is None
        ):
            return None
        if cutoffs["tinggi"] < cutoffs["menengah"]:
            self.fail("tinggi must not be below menengah", field="derived.potential_cutoffs")
        return Derived(
            jpm_from_scores=jpm_from_scores,
            potential_cutoffs=(cutoffs["tinggi"], cutoffs["menengah"]),
            jpm_categories=categories,
            performance_axis={predicates[k]: v for k, v in axis.items()},
            nine_box=nine,
            box_actions=actions,
            competency_standard=standard,
            performance_scores={predicates[k]: v for k, v in scores.items()},
            weights=(weights["performance"], weights["potential"]),
        )

    def _bad(self, where: str, wanted: str) -> None:
        self.fail(f"expected {wanted}", field=where)

    def _percent(self, raw: object, where: str) -> int | None:
        try:
            value = percent_hundredths(raw)
        except LiteralError as exc:
            self.fail(str(exc), field=where)
            return None
        if not 0 <= value <= 10000:
            self.fail("a percentage is 0-100", field=where)
            return None
        return value

    def _mapping(
        self,
        raw: object,
        where: str,
        keys: Sequence[str],
        convert: Callable[[Any, str], Any],
    ) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping) or set(raw) != set(keys):
            self.fail(f"expected exactly the keys {', '.join(keys)}", field=where)
            return None
        out = {}
        for key in keys:
            value = convert(raw[key], f"{where}.{key}")
            if value is None:
                return None
            out[key] = value
        return out

    def _categories(self, raw: object) -> tuple[tuple[int, str, str], ...] | None:
        where = "derived.jpm_categories"
        if not isinstance(raw, list) or not raw:
            self.fail("expected a list of {min, id, en}, highest first", field=where)
            return None
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, Mapping) or set(item) != {"min", "id", "en"}:
                self.fail("expected {min, id, en}", field=f"{where}[{i}]")
                return None
            low = self._percent(item["min"], f"{where}[{i}].min")
            if low is None:
                return None
            out.append((low, str(item["id"]), str(item["en"])))
        mins = [c[0] for c in out]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins) or mins[-1] != 0:
            self.fail("minimums must fall strictly and end at 0", field=where)
            return None
        return tuple(out)

    def _nine_box(self, raw: object) -> dict[tuple[str, str], int] | None:
        where = "derived.nine_box"
        if not isinstance(raw, Mapping) or set(raw) != set(PERFORMANCE_AXIS):
            self.fail(f"expected rows {', '.join(PERFORMANCE_AXIS)}", field=where)
            return None
        out = {}
        for perf in PERFORMANCE_AXIS:
            row = raw[perf]
            if not isinstance(row, Mapping) or set(row) != set(POTENTIAL_AXIS):
                self.fail(f"expected columns {', '.join(POTENTIAL_AXIS)}", field=f"{where}.{perf}")
                return None
            for pot in POTENTIAL_AXIS:
                out[(perf, pot)] = row[pot]
        if sorted(out.values()) != list(range(1, 10)):
            self.fail("the table must number the nine boxes 1 to 9, each once", field=where)
            return None
        return out

    def _box_actions(self, raw: object) -> dict[int, Text] | None:
        where = "derived.box_actions"
        if (
            not isinstance(raw, Mapping)
            or {int(str(k)) for k in raw if str(k).isdigit()} != set(range(1, 10))
            or len(raw) != 9
        ):
            self.fail("expected an action {id, en} for each box 1 to 9", field=where)
            return None
        out = {}
        for key, value in raw.items():
            text = self._text(value, f"{where}.{key}")
            if text is None:
                return None
            out[int(str(key))] = text
        return out

    def _standards(
        self, raw: object, levels: Sequence[PositionLevel]
    ) -> dict[PositionLevel, tuple[tuple[str, int], ...]] | None:
        where = "derived.competency_standard"
        if not isinstance(raw, Mapping):
            self.fail("expected level: standard for every level of the pack", field=where)
            return None
        out = {}
        for level in levels:
            spec = raw.get(level.value)
            at = f"{where}.{level.value}"
            if isinstance(spec, int) and not isinstance(spec, bool) and 1 <= spec <= 5:
                out[level] = tuple(sorted((c, spec) for c in _COMPETENCIES))
            elif isinstance(spec, Mapping) and spec:
                pairs = []
                for name, value in spec.items():
                    if str(name) not in _COMPETENCIES and not str(name).startswith(
                        TECHNICAL_PREFIX
                    ):
                        self.fail(f"unknown competency {name!r}", field=at)
                        return None
                    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                        self.fail(f"{name}: expected a level 1-5", field=at)
                        return None
                    pairs.append((str(name), value))
                out[level] = tuple(sorted(pairs))
            else:
                self.fail(
                    "expected a level 1-5 for every competency, or competency: level", field=at
                )
                return None
        extra = set(raw) - {lvl.value for lvl in levels}
        if extra:
            self.fail(f"levels not in the pack: {', '.join(sorted(map(str, extra)))}", field=where)
        return out

    def _ranking(self, raw: object) -> Ranking | None:
        where = "ranking"
        if not isinstance(raw, Mapping):
            self.fail("ranking is a mapping with keys, readiness and otherwise", field=where)
            return None
        self._keys(raw, frozenset({"keys", "readiness", "otherwise"}), where)
        keys_raw = raw.get("keys")
        keys = []
        if not isinstance(keys_raw, list) or not keys_raw:
            self.fail("keys is a list of {key, direction}", field=f"{where}.keys")
            return None
        for i, item in enumerate(keys_raw):
            at = f"{where}.keys[{i}]"
            if not isinstance(item, Mapping) or set(item) != {"key", "direction"}:
                self.fail("expected {key, direction}", field=at)
                return None
            if item["key"] not in SORT_KEYS:
                self.fail(
                    f"unknown sort key {item['key']!r}; one of {', '.join(SORT_KEYS)}", field=at
                )
                return None
            if item["direction"] not in ("asc", "desc"):
                self.fail("direction is asc or desc", field=at)
                return None
            keys.append(RankKey(item["key"], item["direction"]))
        names = [k.key for k in keys]
        if len(set(names)) != len(names):
            self.fail("a sort key is used twice", field=f"{where}.keys")
        if keys[-1] != RankKey("nip", "asc") or "nip" in names[:-1]:
            self.fail(
                "the last key must be {key: nip, direction: asc} (a total order)",
                field=f"{where}.keys",
            )
        rules = []
        for i, item in enumerate(raw.get("readiness") or []):
            at = f"{where}.readiness[{i}]"
            if not isinstance(item, Mapping):
                self.fail("expected {label, status, boxes, max_soft_failures}", field=at)
                return None
            self._keys(item, frozenset({"label", "status", "boxes", "max_soft_failures"}), at)
            label = self._text(item.get("label"), f"{at}.label")
            statuses = item.get("status")
            if (
                not isinstance(statuses, list)
                or not statuses
                or not set(statuses) <= set(STATUS_ORDER)
            ):
                self.fail(f"status is a list of {', '.join(STATUS_ORDER)}", field=f"{at}.status")
                return None
            boxes = item.get("boxes")
            if boxes is not None and (
                not isinstance(boxes, list) or not set(boxes) <= set(range(1, 10))
            ):
                self.fail("boxes is a list of box numbers 1-9", field=f"{at}.boxes")
                return None
            limit = item.get("max_soft_failures")
            if limit is not None and (
                not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
            ):
                self.fail("max_soft_failures is a whole number", field=f"{at}.max_soft_failures")
                return None
            if label is None:
                return None
            rules.append(
                ReadinessRule(
                    label,
                    frozenset(statuses),
                    frozenset(boxes) if boxes is not None else None,
                    limit,
                )
            )
        otherwise = self._text(raw.get("otherwise"), f"{where}.otherwise")
        if otherwise is None:
            return None
        return Ranking(tuple(keys), tuple(rules), otherwise)
