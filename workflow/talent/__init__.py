"""Talent management: dated talent-map runs placing every employee of an agency on the 9-box,
stored like a screening (input snapshot, pack and result digests) and replayable bit for bit;
and the ranked successors of key positions.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.talent.queries import (
    UNMAPPED,
    PlacedPerson,
    RunDetail,
    TalentReplay,
    box_people,
    list_runs,
    replay_run,
    run_detail,
)
from workflow.talent.runs import (
    DEFAULT_PACK,
    LEDGER_KIND,
    RUNNERS,
    RunSummary,
    run_talent_map,
    sweep_talent_maps,
)
from workflow.talent.succession import MAX_SUCCESSORS, Successor, SuccessorList, successors

__all__ = [
    "DEFAULT_PACK",
    "LEDGER_KIND",
    "MAX_SUCCESSORS",
    "RUNNERS",
    "UNMAPPED",
    "PlacedPerson",
    "RunDetail",
    "RunSummary",
    "Successor",
    "SuccessorList",
    "TalentReplay",
    "box_people",
    "list_runs",
    "replay_run",
    "run_detail",
    "run_talent_map",
    "successors",
    "sweep_talent_maps",
]
