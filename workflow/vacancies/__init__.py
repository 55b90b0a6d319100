"""Vacancies: the declarative approval workflow, one function per user action, duties, guards, the
inbox, SLA timers and monitoring.

Everything other packages use is imported here; the modules beside it are private to the
concept (the import-linter contracts in pyproject.toml hold that).
"""

from workflow.vacancies.actions import (
    Outcome,
    current_definition,
    open_vacancy,
    perform,
    run_pending_screenings,
    screen,
    vacancy_view,
)
from workflow.vacancies.monitoring import MonitoringFilter, agency_status, deviations, nine_box
from workflow.vacancies.queries import (
    VacancyFilter,
    get_vacancy,
    history,
    list_vacancies,
    open_by_reference,
    take_action,
    user_actions,
)
from workflow.vacancies.sla import sweep as sweep_deadlines
from workflow.vacancies.tasks import INBOX_ROLES, inbox

__all__ = [
    "INBOX_ROLES",
    "MonitoringFilter",
    "Outcome",
    "VacancyFilter",
    "agency_status",
    "current_definition",
    "deviations",
    "get_vacancy",
    "history",
    "inbox",
    "list_vacancies",
    "nine_box",
    "open_by_reference",
    "open_vacancy",
    "perform",
    "run_pending_screenings",
    "screen",
    "sweep_deadlines",
    "take_action",
    "user_actions",
    "vacancy_view",
]
