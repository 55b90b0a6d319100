"""Database engines, sessions and the one transaction helper every use case goes through.

SQLite is the embedded default: every connection gets WAL, ``synchronous=FULL``, foreign keys and
a busy timeout, and write transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the
database lock instead of failing half-way with ``database is locked``. PostgreSQL is production.

Both keep their connections in a pool. For SQLite that matters more than it looks: closing the
last connection to a WAL database checkpoints it and deletes the WAL, so a connection opened and
closed per transaction paid a connect, four pragmas, a checkpoint and two extra fsyncs for every
write. A forked child drops the pool it inherited (it must never use the parent's connections).
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from workflow.core.errors import DatabaseMisconfigured

_BEGIN_OPTION = "meritflow_begin"


@dataclass(frozen=True, slots=True)
class Database:
    """An engine with a session factory for reads and one for writes."""

    engine: Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        """Return whether this database is SQLite."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session in a write transaction; commit on success, roll back on any error."""
        with self.writer() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reads; nothing it does is committed."""
        with self.reader() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (after a fork, or at shutdown)."""
        self.engine.dispose()


UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
)
"""What the database raises when it cannot serve now but may soon: unreachable, restarting,
a dropped connection, a lock or pool wait that timed out. A caller answers "try again later"."""


def is_unavailable(error: BaseException) -> bool:
    """Return whether ``error`` means the database cannot serve now (see UNAVAILABLE_ERRORS)."""
    if isinstance(error, UNAVAILABLE_ERRORS):
        return True
    return isinstance(error, exc.DBAPIError) and bool(error.connection_invalidated)


def connect(
    url: str,
    *,
    busy_timeout_ms: int = 10_000,
    pool_size: int = 10,
    pool_timeout: float = 30.0,
    connect_timeout: int = 5,
) -> Database:
    """Return a :class:`Database` for ``url`` with the durability settings applied.

    ``pool_size=0`` opens a fresh connection for every transaction (no pool). ``pool_timeout``
    bounds the wait for a pooled connection and ``connect_timeout`` (PostgreSQL) the wait for a
    new one; either raises one of :data:`UNAVAILABLE_ERRORS` instead of queueing forever.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
        # A pooled connection holds no lock between transactions (WAL, no open transaction).
        pooled: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size}
    else:
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs["connect_args"] = {"connect_timeout": connect_timeout}
        pooled = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
    if pool_size:
        pooled["pool_timeout"] = pool_timeout
        kwargs.update(poolclass=QueuePool, **pooled)
    else:
        kwargs["poolclass"] = NullPool
    engine = create_engine(parsed, **kwargs)
    if sqlite:
        _configure_sqlite(engine, busy_timeout_ms)
    _ENGINES.add(engine)
    reader = sessionmaker(engine, expire_on_commit=False)
    writer = sessionmaker(
        engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}), expire_on_commit=False
    )
    return Database(engine=engine, reader=reader, writer=writer)


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Every engine this process made, so a forked child can drop their pools."""


def _drop_pools_after_fork() -> None:
    # The child must not use (or close) the parent's connections: forget them and let the
    # child open its own on first use (SQLAlchemy's advice for pools and multiprocessing).
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_drop_pools_after_fork)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Install the per-connection pragmas and take over BEGIN from pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # pysqlite's implicit BEGIN is deferred and opens too late; we emit our own in "begin".
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


SQLITE_REQUIRED = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
"""What :func:`check_durability` insists on (``synchronous`` 2 is FULL)."""


def check_durability(db: Database, *, forbid_superuser: bool = False) -> dict[str, object]:
    """Return the durability settings in force, or raise if any is unsafe.

    :raises DatabaseMisconfigured: SQLite without WAL / FULL sync / foreign keys / a 5 s busy
        timeout; PostgreSQL with fsync, synchronous_commit or full_page_writes off, or (when
        ``forbid_superuser``) connected as a superuser, which bypasses row security and triggers.
    """
    found: dict[str, object] = {}
    problems: list[str] = []
    with db.engine.connect() as conn:
        if db.is_sqlite:
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                found[name] = conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name, wanted in SQLITE_REQUIRED.items():
                if str(found[name]).lower() != str(wanted):
                    problems.append(f"sqlite {name} is {found[name]!r}, need {wanted!r}")
            if int(str(found["busy_timeout"])) < 5000:
                problems.append(f"sqlite busy_timeout is {found['busy_timeout']} ms, need >= 5000")
        else:
            for name in ("fsync", "synchronous_commit", "full_page_writes"):
                found[name] = conn.execute(text(f"SHOW {name}")).scalar()
                if found[name] != "on":
                    problems.append(f"postgresql {name} is {found[name]!r}, need 'on'")
            found["superuser"] = conn.execute(text("SHOW is_superuser")).scalar()
            if forbid_superuser and found["superuser"] == "on":
                problems.append("connected to postgresql as a superuser")
    if problems:
        raise DatabaseMisconfigured("; ".join(problems))
    return found
