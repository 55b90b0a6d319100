"""Per-application state (settings, database) kept in ``app.extensions`` and read by views."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from config import Settings
from workflow.core import Database
from workflow.jobs import JobQueue

_KEY = "meritflow"


@dataclass(frozen=True, slots=True)
class AppState:
    """What every view and CLI command of one app shares."""

    settings: Settings
    db: Database
    jobs: JobQueue


def init_state(app: Flask, state: AppState) -> None:
    """Attach ``state`` to ``app``."""
    app.extensions[_KEY] = state


def state() -> AppState:
    """Return the current app's state."""
    result: AppState = current_app.extensions[_KEY]
    return result


def db() -> Database:
    """Return the current app's database."""
    return state().db


def settings() -> Settings:
    """Return the current app's settings."""
    return state().settings


def jobs() -> JobQueue:
    """Return the current app's job queue."""
    return state().jobs
