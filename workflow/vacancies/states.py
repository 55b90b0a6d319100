"""The names of the workflow's states and actions, in one place.

The YAML definition (``definitions/promotion.yaml``) decides which action leads from which state
to which, who may take it and under which guard; the code names states and actions only through
these enums. :func:`workflow.vacancies.definition.parse_definition` refuses a definition whose
states or actions differ from them, so a renamed or added state cannot silently miss the code
that handles it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class State(StrEnum):
    """Every state of a vacancy (the ``states`` of the definition)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    COMMITTEE_REVIEW = "committee_review"
    AUTHORITY_DECISION = "authority_decision"
    TECHNICAL_REVIEW = "technical_review"
    DECREE_ISSUED = "decree_issued"
    RETURNED = "returned"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ActionName(StrEnum):
    """Every action of the definition (the ``actions`` of the definition)."""

    SUBMIT = "submit"
    START_SCREENING = "start_screening"
    COMPLETE_SCREENING = "complete_screening"
    SCREENING_SHORT = "screening_short"
    VOTE = "vote"
    DECLARE_CONFLICT = "declare_conflict"
    COMMITTEE_APPROVED = "committee_approved"
    COMMITTEE_RETURNED = "committee_returned"
    DECIDE = "decide"
    APPROVE_TECHNICAL = "approve_technical"
    ISSUE_DECREE = "issue_decree"
    CLOSE = "close"
    RETURN = "return"
    REJECT_TECHNICAL = "reject_technical"
    CANCEL = "cancel"


OPENED: Final = "open"
"""What the action history records for opening a vacancy (not an action of the definition)."""

OWN_STEP_STATES: Final = frozenset({State.DRAFT, State.RETURNED})
"""States in which the vacancy is back with HR, so its submitter may act on it again."""

DECIDING_ACTIONS: Final = frozenset({ActionName.VOTE, ActionName.DECIDE})
"""Actions a candidate, or anyone conflicted with a candidate, must never take."""
