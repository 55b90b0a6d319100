"""Screening: a position's pool evaluated by a published rule pack, the stored result, its replay
and every explanation.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.screening.explanations import (
    CandidateExplanation,
    list_packs,
    pack_detail,
    replay_screening,
    screening_explanation,
    shortlist,
    what_if,
)
from workflow.screening.narrowing import (
    DEFAULT_NARROWING,
    NARROWING_MIN_POOL,
    NarrowingPolicy,
    NarrowingSettings,
    should_narrow,
)
from workflow.screening.pool import screen_position
from workflow.screening.profiles import (
    LoadedProfile,
    find_position,
    load_profile,
    load_profile_rows,
    load_profiles,
    registry_candidate,
    vacancy_context,
)
from workflow.screening.replays import replay
from workflow.screening.rulepacks import list_published, load_published, publish_pack, resolve
from workflow.screening.runs import (
    ScreeningOutcome,
    ShortlistRow,
    evaluate_pool,
    outcome_of,
    store_run,
)
from workflow.screening.shards import (
    SHARD_SIZE,
    Shard,
    assemble_outcome,
    plan_shards,
    screen_shard,
    shard_size,
)

__all__ = [
    "DEFAULT_NARROWING",
    "NARROWING_MIN_POOL",
    "SHARD_SIZE",
    "CandidateExplanation",
    "LoadedProfile",
    "NarrowingPolicy",
    "NarrowingSettings",
    "ScreeningOutcome",
    "Shard",
    "ShortlistRow",
    "assemble_outcome",
    "evaluate_pool",
    "find_position",
    "list_packs",
    "list_published",
    "load_profile",
    "load_profile_rows",
    "load_profiles",
    "load_published",
    "outcome_of",
    "pack_detail",
    "plan_shards",
    "publish_pack",
    "registry_candidate",
    "replay",
    "replay_screening",
    "resolve",
    "screen_position",
    "screen_shard",
    "screening_explanation",
    "shard_size",
    "shortlist",
    "should_narrow",
    "store_run",
    "vacancy_context",
    "what_if",
]
