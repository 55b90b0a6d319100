"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from workflow.models.base import Base
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

__all__ = [
    "Assessment",
    "AssessmentScore",
    "Base",
    "Education",
    "Employee",
    "Penalty",
    "PerformanceRating",
    "Position",
    "PositionCompetency",
    "PositionHistory",
    "RulePack",
    "Tenant",
    "TrainingRecord",
]
