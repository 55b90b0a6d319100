"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from workflow.models.access import AuthFailure, PersonalDataAccess
from workflow.models.base import Base
from workflow.models.identity import ApiToken, Delegation, Role, User, UserRole
from workflow.models.jobs import Job, JobFile, JobShard
from workflow.models.ledger import ChainHead, LedgerEntry
from workflow.models.registry import (
    Assessment,
    AssessmentScore,
    Education,
    Employee,
    Penalty,
    PerformanceRating,
    Position,
    PositionCompetency,
    PositionHistory,
    Tenant,
    TrainingRecord,
)
from workflow.models.rules import RulePack
from workflow.models.talent import (
    ActivityKind,
    DevelopmentActivity,
    SuccessionGroup,
    SuccessionMember,
    TalentPlacement,
    TalentRun,
)
from workflow.models.vacancy import (
    CommitteeMember,
    ConflictDeclaration,
    IdempotencyRecord,
    ScreeningRun,
    ShortlistEntry,
    Vacancy,
    VacancyAction,
    Vote,
    WorkflowVersion,
)

__all__ = [
    "ActivityKind",
    "ApiToken",
    "Assessment",
    "AssessmentScore",
    "AuthFailure",
    "Base",
    "ChainHead",
    "CommitteeMember",
    "ConflictDeclaration",
    "Delegation",
    "DevelopmentActivity",
    "Education",
    "Employee",
    "IdempotencyRecord",
    "Job",
    "JobFile",
    "JobShard",
    "LedgerEntry",
    "Penalty",
    "PerformanceRating",
    "PersonalDataAccess",
    "Position",
    "PositionCompetency",
    "PositionHistory",
    "Role",
    "RulePack",
    "ScreeningRun",
    "ShortlistEntry",
    "SuccessionGroup",
    "SuccessionMember",
    "TalentPlacement",
    "TalentRun",
    "Tenant",
    "TrainingRecord",
    "User",
    "UserRole",
    "Vacancy",
    "VacancyAction",
    "Vote",
    "WorkflowVersion",
]
