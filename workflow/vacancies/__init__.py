"""Vacancies: the declarative approval workflow, one function per user action, duties, guards, the inbox, SLA timers and monitoring."""
