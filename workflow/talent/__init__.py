"""Talent management: dated talent-map runs placing every employee of an agency on the 9-box,
stored like a screening (input snapshot, pack and result digests) and replayable bit for bit;
the ranked successors of key positions; each agency's data quality; development plans and each
employee's own view.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.talent.development import (
    LEADERSHIP_TRAININGS,
    Activity,
    DevelopmentPlan,
    Gap,
    development_plan,
    known_competencies,
    record_activity,
)
from workflow.talent.groups import (
    DECISION_DAYS,
    DEFINITION,
    GroupDetail,
    GroupMember,
    GroupState,
    GroupSummary,
    Membership,
    act,
    approved_members,
    create_group,
    get_group,
    list_groups,
    memberships,
)
from workflow.talent.national import (
    COVERED_READY_NOW,
    AgencyTalent,
    NationalTalent,
    national_talent,
)
from workflow.talent.own import OwnView, own_plan, own_view
from workflow.talent.quality import (
    DEFAULT_ASSESSMENT_YEARS,
    HOLES,
    AgencyQuality,
    RecordToFix,
    agency_quality,
    holes,
    records_to_fix,
)
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
from workflow.talent.succession import (
    MAX_SUCCESSORS,
    Successor,
    SuccessorList,
    successor_lists,
    successors,
)

__all__ = [
    "COVERED_READY_NOW",
    "DECISION_DAYS",
    "DEFAULT_ASSESSMENT_YEARS",
    "DEFAULT_PACK",
    "DEFINITION",
    "HOLES",
    "LEADERSHIP_TRAININGS",
    "LEDGER_KIND",
    "MAX_SUCCESSORS",
    "RUNNERS",
    "UNMAPPED",
    "Activity",
    "AgencyQuality",
    "AgencyTalent",
    "DevelopmentPlan",
    "Gap",
    "GroupDetail",
    "GroupMember",
    "GroupState",
    "GroupSummary",
    "Membership",
    "NationalTalent",
    "OwnView",
    "PlacedPerson",
    "RecordToFix",
    "RunDetail",
    "RunSummary",
    "Successor",
    "SuccessorList",
    "TalentReplay",
    "act",
    "agency_quality",
    "approved_members",
    "box_people",
    "create_group",
    "development_plan",
    "get_group",
    "holes",
    "known_competencies",
    "list_groups",
    "list_runs",
    "memberships",
    "national_talent",
    "own_plan",
    "own_view",
    "record_activity",
    "records_to_fix",
    "replay_run",
    "run_detail",
    "run_talent_map",
    "successor_lists",
    "successors",
    "sweep_talent_maps",
]
