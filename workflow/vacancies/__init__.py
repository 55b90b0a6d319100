"""Vacancies: the declarative approval workflow and its typed door, one function per user action.

The YAML definition (``definitions/``) decides states, roles, guards and targets; the functions
here are how callers take its actions. Every action follows one protocol in one transaction
(``protocol.py``); ``dispatch.py`` takes an action by name for the adapters.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.vacancies.actions import (
    approve_technical,
    cancel,
    close,
    decide,
    declare_conflict,
    issue_decree,
    reject_technical,
    return_to_hr,
    start_screening,
    submit,
    vote,
)
from workflow.vacancies.definition import (
    DefinitionInvalid,
    WorkflowDefinition,
    current_definition,
    load_definition,
)
from workflow.vacancies.dispatch import (
    perform,
    refuse_screening_payload,
    take_action,
    user_actions,
)
from workflow.vacancies.idempotency import Outcome
from workflow.vacancies.monitoring import (
    Dashboard,
    MonitoringFilter,
    agency_status,
    dashboard,
    deviations,
    nine_box,
)
from workflow.vacancies.opening import open_by_reference, open_vacancy
from workflow.vacancies.queries import (
    HistoryEntry,
    VacancyFilter,
    get_vacancy,
    history,
    list_vacancies,
)
from workflow.vacancies.screening import (
    finish_screening,
    finish_screening_in,
    run_pending_screenings,
    screen,
    screen_vacancy,
)
from workflow.vacancies.sla import SweepReport
from workflow.vacancies.sla import sweep as sweep_deadlines
from workflow.vacancies.states import ActionName, State
from workflow.vacancies.tasks import (
    INBOX_ROLES,
    MyTasks,
    Task,
    delegated_inbox,
    inbox,
    my_tasks,
)
from workflow.vacancies.view import PositionView, VacancyView, vacancy_view

__all__ = [
    "INBOX_ROLES",
    "ActionName",
    "Dashboard",
    "DefinitionInvalid",
    "HistoryEntry",
    "MonitoringFilter",
    "MyTasks",
    "Outcome",
    "PositionView",
    "State",
    "SweepReport",
    "Task",
    "VacancyFilter",
    "VacancyView",
    "WorkflowDefinition",
    "agency_status",
    "approve_technical",
    "cancel",
    "close",
    "current_definition",
    "dashboard",
    "decide",
    "declare_conflict",
    "delegated_inbox",
    "deviations",
    "finish_screening",
    "finish_screening_in",
    "get_vacancy",
    "history",
    "inbox",
    "issue_decree",
    "list_vacancies",
    "load_definition",
    "my_tasks",
    "nine_box",
    "open_by_reference",
    "open_vacancy",
    "perform",
    "refuse_screening_payload",
    "reject_technical",
    "return_to_hr",
    "run_pending_screenings",
    "screen",
    "screen_vacancy",
    "start_screening",
    "submit",
    "sweep_deadlines",
    "take_action",
    "user_actions",
    "vacancy_view",
    "vote",
]
