"""Backups of the whole database, and restoring one: SQLite's online backup API, or PostgreSQL's
``pg_dump`` / ``pg_restore`` (custom format) when they are on ``PATH``.

A restore moves every ledger chain back to the moment of the backup. The signed checkpoints
written since then still name the newer heads, so ``audit verify`` reports each chain that was
cut as *truncated* — which is the point: a restore is never silent (docs/ledger.md §7).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from workflow.core.db import Database
from workflow.core.errors import InvalidInput

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
TOOL_TIMEOUT_SECONDS = 3600


class BackupUnavailable(InvalidInput):
    """The tool a backup or restore of this database needs is missing."""


def backup(database: Database, path: Path) -> Path:
    """Write a consistent copy of the whole database to ``path`` (which must not exist).

    :raises InvalidInput: ``path`` exists already or its folder does not.
    :raises BackupUnavailable: PostgreSQL without ``pg_dump`` on ``PATH``.
    """
    _refuse(path, exists=True)
    if database.is_sqlite:
        temporary = path.with_name(path.name + ".partial")
        target = sqlite3.connect(temporary)
        try:
            with _raw_sqlite(database) as source:
                source.backup(target)
        finally:
            target.close()
        os.replace(temporary, path)
        return path
    tool = _tool("pg_dump")
    _run([tool, "--format=custom", "--no-owner", f"--file={path}", _libpq_url(database)])
    return path


def restore(database: Database, path: Path) -> None:
    """Replace the whole database with the backup at ``path``.

    :raises InvalidInput: ``path`` is missing or is not a backup of this kind of database.
    :raises BackupUnavailable: PostgreSQL without ``pg_restore`` on ``PATH``.
    """
    _refuse(path, exists=False)
    head = path.read_bytes()[:16] if path.is_file() else b""
    if database.is_sqlite:
        if not head.startswith(SQLITE_HEADER):
            raise InvalidInput(
                f"{path} is not an SQLite backup",
                [{"field": "path", "message": "not an SQLite database file"}],
            )
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            checked = source.execute("PRAGMA integrity_check").fetchone()
            if checked != ("ok",):
                raise InvalidInput(
                    f"{path} fails SQLite's integrity check: {checked}",
                    [{"field": "path", "message": "integrity_check failed"}],
                )
            database.dispose()
            with _raw_sqlite(database) as target:
                source.backup(target)
        finally:
            source.close()
        database.dispose()
        return
    if not head.startswith(PG_CUSTOM_HEADER):
        raise InvalidInput(
            f"{path} is not a pg_dump custom-format backup",
            [{"field": "path", "message": "not written by `db backup` (pg_dump -Fc)"}],
        )
    tool = _tool("pg_restore")
    database.dispose()
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_libpq_url(database)}",
            str(path),
        ]
    )


class _raw_sqlite:
    def __init__(self, database: Database) -> None:
        self._connection = database.engine.raw_connection()

    def __enter__(self) -> sqlite3.Connection:
        driver = self._connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return driver

    def __exit__(self, *_exc: object) -> None:
        self._connection.close()


def _refuse(path: Path, *, exists: bool) -> None:
    if exists and path.exists():
        raise InvalidInput(
            f"{path} exists; a backup never overwrites a file",
            [{"field": "path", "message": "exists already"}],
        )
    if exists and not path.parent.is_dir():
        raise InvalidInput(
            f"{path.parent} is not a folder", [{"field": "path", "message": "no such folder"}]
        )
    if not exists and not path.is_file():
        raise InvalidInput(f"{path} is not a file", [{"field": "path", "message": "no such file"}])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupUnavailable(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's major "
            f"version (Debian: apt-get install postgresql-client) to back up or restore",
            [{"field": name, "message": "not on PATH"}],
        )
    return found


def _libpq_url(database: Database) -> str:
    url = make_url(str(database.engine.url.render_as_string(hide_password=False)))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed tool with our own arguments
        command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise InvalidInput(
            f"{tool} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}",
            [{"field": tool, "message": f"exit {result.returncode}"}],
        )
