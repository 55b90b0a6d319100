"""Schemas of the rules-facing resources: shortlists, explanations, replays and rule packs."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import Schema, fields, pre_dump, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from api.converters import MAX_ID
from api.pagination import PageQuery
from api.personal_data import PersonalDataSchema
from api.schemas import RequestSchema

_LANG = fields.String(
    load_default="en",
    validate=validate.OneOf(["en", "id"]),
    metadata={"description": "Language of the readable texts: en or id"},
)
_ID = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class TextRead(Schema):
    """A text in Indonesian and English."""

    id = fields.String(required=True)
    en = fields.String(required=True)


# ------------------------------------------------------------------ the stored screening


class ScreeningRunRead(Schema):
    """What decided a stored screening and what it produced (digests: docs/rules.md §10)."""

    id = fields.Integer(required=True)
    round = fields.Integer(required=True)
    pack_digest = fields.String(required=True)
    engine_version = fields.String(required=True, metadata={"example": "durable_rules 2.0.28"})
    reference_date = fields.Date(required=True)
    input_digest = fields.String(required=True)
    result_digest = fields.String(required=True)
    candidates = fields.Integer(required=True, metadata={"description": "The whole pool"})
    eligible = fields.Integer(required=True)
    shortlisted = fields.Integer(
        required=True, metadata={"description": "Eligible and needs-data candidates (listed)"}
    )
    created_at = fields.DateTime(required=True)


class ScoreRead(Schema):
    """The derived scores a candidate was ranked by (hundredths of a percent)."""

    jpm = fields.Integer(allow_none=True)
    performance = fields.Integer(allow_none=True)
    succession = fields.Integer(allow_none=True)


class ShortlistEntryRead(PersonalDataSchema):
    """A ranked candidate (personal data: every one returned is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    rank = fields.Integer(required=True, metadata={"description": "1 = ranked first"})
    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True, metadata={"example": "198001012005011001"})
    name = fields.String(required=True)
    tenant = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["eligible", "needs_data"]))
    box = fields.Integer(allow_none=True, metadata={"description": "The 9-box (1-9)"})
    readiness = fields.String(allow_none=True, metadata={"example": "Siap Sekarang"})
    score = fields.Nested(ScoreRead, required=True)
    in_succession_group = fields.Boolean(
        required=True,
        metadata={
            "description": "A member of the position's approved succession group for the "
            "reference date's year, as the screening read it"
        },
    )


class ShortlistRead(Schema):
    """A page of the latest screening's ranked candidates, and the run they come from."""

    screening = fields.Nested(ScreeningRunRead, required=True)
    items = fields.List(fields.Nested(ShortlistEntryRead), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items in all pages"})
    pages = fields.Integer(required=True, metadata={"description": "Number of pages"})


# ------------------------------------------------------------------ explanations


class ExplanationQuery(Schema):
    """Options of an explanation."""

    lang = _LANG


class CriterionRead(Schema):
    """One criterion's outcome for the candidate (docs/rules.md §6)."""

    id = fields.String(required=True, metadata={"example": "rank.minimum"})
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(["pass", "fail", "not_applicable", "missing_data"]),
    )
    hard = fields.Boolean(required=True)
    origin = fields.String(required=True)
    citation = fields.String(required=True)
    message = fields.Nested(TextRead, required=True)
    expected = fields.Nested(TextRead, allow_none=True, required=True)
    actual = fields.Nested(TextRead, allow_none=True, required=True)
    values = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    missing_fields = fields.List(fields.String(), required=True)
    hint = fields.Nested(
        TextRead,
        allow_none=True,
        required=True,
        metadata={"description": "What would change the outcome"},
    )


class GapRowRead(Schema):
    """One competency of the standard against the candidate's assessed level."""

    competency = fields.String(required=True)
    required = fields.Integer(required=True)
    actual = fields.Integer(allow_none=True, required=True)
    gap = fields.Integer(allow_none=True, required=True)


class CompetencyGapRead(Schema):
    """The competency gap table."""

    standard = fields.String(required=True, validate=validate.OneOf(["position", "pack_default"]))
    assessed_on = fields.String(allow_none=True, required=True)
    below_standard = fields.Integer(allow_none=True, required=True)
    rows = fields.List(fields.Nested(GapRowRead), required=True)


class JpmRead(Schema):
    """The job-person match and its category."""

    percent = fields.String(required=True, metadata={"example": "82.50"})
    category = fields.Nested(TextRead, required=True)
    source = fields.String(allow_none=True, required=True)


class AxisRead(Schema):
    """One axis of the 9-box."""

    value = fields.String(required=True)
    label = fields.Nested(TextRead, required=True)
    # "from" is a Python keyword: the key is set with data_key
    source = fields.String(data_key="from", attribute="from", allow_none=True, required=True)


class AxesRead(Schema):
    """Both axes of the 9-box (null when unknown)."""

    performance = fields.Nested(AxisRead, allow_none=True, required=True)
    potential = fields.Nested(AxisRead, allow_none=True, required=True)


class BoxRead(Schema):
    """The 9-box placement and its recommended action."""

    number = fields.Integer(required=True)
    action = fields.Nested(TextRead, required=True)
    talent_pool = fields.Boolean(required=True)


class SuccessionRead(Schema):
    """The succession score, the rank in the screening and the readiness."""

    score = fields.String(allow_none=True, required=True)
    performance_score = fields.String(allow_none=True, required=True)
    potential_score = fields.String(allow_none=True, required=True)
    rank = fields.Integer(allow_none=True, required=True)
    pool_size = fields.Integer(allow_none=True, required=True)
    shortlisted = fields.Boolean(required=True)
    readiness = fields.Nested(TextRead, required=True)


class PackRefRead(Schema):
    """A pack version."""

    id = fields.String(required=True)
    version = fields.String(required=True)
    digest = fields.String(required=True)


class CandidateRefRead(Schema):
    """Who is explained."""

    nip = fields.String(required=True)
    name = fields.String(allow_none=True)


class ExplanationDocumentRead(Schema):
    """The explanation JSON, format 1 (docs/rules.md §6), as ``rules explain --json`` prints."""

    format = fields.Integer(required=True)
    pack = fields.Nested(PackRefRead, required=True)
    engine = fields.String(required=True)
    vacancy = fields.Dict(required=True, metadata={"description": "The vacancy context JSON"})
    candidate = fields.Nested(CandidateRefRead, required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["eligible", "ineligible", "needs_data"])
    )
    failed = fields.List(fields.String(), required=True)
    missing = fields.List(fields.String(), required=True)
    flags = fields.List(fields.String(), required=True)
    criteria = fields.List(fields.Nested(CriterionRead), required=True)
    competency_gap = fields.Nested(CompetencyGapRead, required=True)
    jpm = fields.Nested(JpmRead, allow_none=True, required=True)
    axes = fields.Nested(AxesRead, required=True)
    box = fields.Nested(BoxRead, allow_none=True, required=True)
    succession = fields.Nested(SuccessionRead, required=True)


class NeighbourRead(PersonalDataSchema):
    """The candidate ranked just above or below, and the sort key that separates them
    (personal data: recorded like the candidate)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    relation = fields.String(required=True, validate=validate.OneOf(["above", "below"]))
    rank = fields.Integer(required=True)
    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    decided_by = fields.String(
        required=True,
        metadata={"description": "The first ranking key on which the two differ, or status"},
    )
    direction = fields.String(allow_none=True, required=True)
    candidate_value = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The candidate's value of that key (null: none)"},
    )
    neighbour_value = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The neighbour's value of that key (null: none)"},
    )
    text = fields.String(required=True, metadata={"example": "ranked ahead of #3 on 9-box number"})


class NarrowedOutRead(Schema):
    """How the screening left a narrowed-out candidate out (the explanation beside it is
    rendered today, from today's registry)."""

    criterion = fields.String(required=True, metadata={"example": "rank.min"})
    message = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "The criterion's message, `id` and `en`"},
    )
    decided = fields.String(
        required=True,
        validate=validate.OneOf(["ineligible"]),
        metadata={"description": "The run's decision (narrowed-out candidates are not ranked)"},
    )
    profile = fields.String(
        required=True,
        validate=validate.OneOf(["registry"]),
        metadata={"description": "The profile explained is today's registry, not the snapshot"},
    )
    read_on = fields.Date(required=True)
    still_fails = fields.Boolean(
        required=True,
        metadata={"description": "false: today's profile no longer fails the criterion"},
    )


class CandidateExplanationRead(PersonalDataSchema):
    """One candidate's explanation (personal data: a registry employee's read is logged; a
    profile the caller sent is nobody's registry data)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(allow_none=True, required=True)
    nip = fields.String(required=True)
    name = fields.String(allow_none=True, required=True)
    source = fields.String(
        required=True,
        validate=validate.OneOf(["screening", "registry", "profile"]),
        metadata={"description": "A stored screening's snapshot, the registry today, or a profile"},
    )
    lang = fields.String(required=True)
    screening = fields.Nested(ScreeningRunRead, allow_none=True)
    explanation = fields.Nested(ExplanationDocumentRead, required=True)
    text = fields.String(required=True, metadata={"description": "Readable, in `lang`"})
    neighbours = fields.List(fields.Nested(NeighbourRead), required=True)
    warnings = fields.List(fields.String(), required=True)
    narrowed = fields.Nested(
        NarrowedOutRead,
        allow_none=True,
        required=True,
        metadata={
            "description": "Set when the screening narrowed the candidate out: `source` is then "
            "`registry` (today's profile, evaluated now by the engine with the pinned pack)"
        },
    )

    @pre_dump
    def _require_recorded(self, obj: Any, **kwargs: Any) -> Any:
        if obj.employee_id is None:  # a caller-supplied profile: no registry data disclosed
            return obj
        return super()._require_recorded(obj, **kwargs)


# ------------------------------------------------------------------ replay


class ReplayCreate(RequestSchema):
    """What to replay: the latest round under the pinned pack, unless told otherwise."""

    pack = fields.String(
        validate=[validate.Length(min=1, max=80), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
        metadata={"description": "Another published pack: a digest, or a pack id (its newest)"},
    )
    round = _ID


class ChangeRead(Schema):
    """How one candidate fares under the other pack. Only the employee id is given (as in the
    access log): look the person up through the registry, which records the read."""

    employee_id = fields.Integer(allow_none=True, required=True)
    effect = fields.String(
        required=True, validate=validate.OneOf(["gains", "loses", "rank_up", "rank_down", "status"])
    )
    status_before = fields.String(required=True)
    status_after = fields.String(required=True)
    rank_before = fields.Integer(allow_none=True, required=True)
    rank_after = fields.Integer(allow_none=True, required=True)
    profile = fields.String(
        required=True,
        validate=validate.OneOf(["snapshot", "registry"]),
        metadata={
            "description": "registry: narrowed out by the recorded run, replayed from today's "
            "registry (no profile of theirs was stored)"
        },
    )


class ReplayRead(Schema):
    """The outcome of a replay (nothing is stored)."""

    vacancy_id = fields.Integer(required=True)
    round = fields.Integer(required=True)
    reproduced = fields.Boolean(
        required=True, metadata={"description": "Same pack, same input and result digests"}
    )
    counterfactual = fields.Boolean(required=True)
    recorded_pack = fields.String(required=True)
    replay_pack = fields.String(required=True)
    recorded_engine = fields.String(required=True)
    replay_engine = fields.String(required=True)
    recorded_input_digest = fields.String(required=True)
    replayed_input_digest = fields.String(required=True)
    recorded_result_digest = fields.String(required=True)
    replayed_result_digest = fields.String(required=True)
    candidates = fields.Integer(required=True)
    changes = fields.List(fields.Nested(ChangeRead), required=True)
    narrowed = fields.Integer(
        required=True, metadata={"description": "Candidates the recorded run narrowed out"}
    )
    renarrowed = fields.Integer(
        required=True,
        metadata={"description": "Of those, left out again by the other pack's narrowing"},
    )
    from_registry = fields.Integer(
        required=True,
        metadata={"description": "Of those, evaluated under the other pack from today's registry"},
    )
    not_in_registry = fields.Integer(
        required=True,
        metadata={"description": "Of those, no longer in the registry: not replayed"},
    )


# ------------------------------------------------------------------ rule packs


class RulePackRead(Schema):
    """A published rule pack version."""

    id = fields.String(attribute="pack_id", required=True, metadata={"example": "bkn-national"})
    version = fields.String(required=True, metadata={"example": "2026.1.0"})
    digest = fields.String(required=True)
    parent = fields.String(attribute="parent_digest", allow_none=True, required=True)
    published_at = fields.DateTime(required=True)
    published_by = fields.String(required=True)


class PackCriterionRead(Schema):
    """One criterion of a pack."""

    id = fields.String(required=True)
    applies_to = fields.List(fields.String(), required=True)
    hard = fields.Raw(
        required=True, metadata={"description": "true, false, or {param: name} per level"}
    )
    condition = fields.Raw(required=True, metadata={"description": "Canonical condition"})
    citation = fields.String(required=True)
    message = fields.Nested(TextRead, required=True)
    remedy = fields.Nested(TextRead, required=True)
    origin = fields.String(required=True)


class RankKeyRead(Schema):
    """A sort key of the ranking."""

    key = fields.String(required=True)
    direction = fields.String(required=True)


class ReadinessRuleRead(Schema):
    """A readiness label and when it applies."""

    label = fields.Nested(TextRead, required=True)
    status = fields.List(fields.String(), required=True)
    boxes = fields.List(fields.Integer())
    max_soft_failures = fields.Integer()


class RankingRead(Schema):
    """The pack's ordering of candidates and its readiness scale."""

    keys = fields.List(fields.Nested(RankKeyRead), required=True)
    readiness = fields.List(fields.Nested(ReadinessRuleRead), required=True)
    otherwise = fields.Nested(TextRead, required=True)


class RulePackDetailRead(RulePackRead):
    """A published rule pack: its levels, parameters, criteria and ranking."""

    title = fields.Nested(TextRead, required=True)
    effective_from = fields.String(required=True)
    effective_to = fields.String(allow_none=True)
    legal_basis = fields.List(
        fields.Dict(), required=True, metadata={"description": "[{ref, title, note}]"}
    )
    levels = fields.List(fields.String(), required=True)
    parameters = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "By name"},
    )
    criteria = fields.List(fields.Nested(PackCriterionRead), required=True)
    ranking = fields.Nested(RankingRead, required=True)


class RulePackQuery(PageQuery):
    """Options of the pack list (pagination only)."""


class ExplainCreate(RequestSchema):
    """Whom to explain (a registry employee, or a profile) for which vacancy (a position, or a
    vacancy context). Nothing is stored."""

    nip = fields.String(
        validate=validate.Regexp(r"^[0-9]{18}$"),
        metadata={"description": "A registry employee the caller may read (hr, auditor, BKN)"},
    )
    profile = fields.Dict(
        metadata={"description": "A candidate profile JSON (docs/rules.md §9.1)"},
    )
    position_id = _ID
    vacancy = fields.Dict(
        metadata={"description": "A vacancy context JSON (docs/rules.md §9.2)"},
    )
    reference_date = fields.Date(
        metadata={"description": "Default: the vacancy's, else today"},
    )
    lang = _LANG

    @validates_schema
    def _one_of_each(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if ("nip" in data) == ("profile" in data):
            errors["nip"] = ["Give exactly one of nip and profile."]
        if ("position_id" in data) == ("vacancy" in data):
            errors["position_id"] = ["Give exactly one of position_id and vacancy."]
        if errors:
            raise SchemaError(errors)
