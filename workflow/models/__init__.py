"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from workflow.models.base import Base
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

__all__ = [
    "Assessment",
    "AssessmentScore",
    "Base",
    "ChainHead",
    "Education",
    "Employee",
    "LedgerEntry",
    "Penalty",
    "PerformanceRating",
    "Position",
    "PositionCompetency",
    "PositionHistory",
    "Tenant",
    "TrainingRecord",
]
