"""Reading long result sets fast with flat memory: plain DBAPI batches, fetched one step ahead."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

BATCH_ROWS = 5000


def batches(
    session: Session, statement: Select[Any], *, size: int = BATCH_ROWS
) -> Generator[Sequence[Sequence[Any]], None, None]:
    """Yield the rows of ``statement`` in lists of ``size``, through the session's connection.

    Rows come straight from the driver (a server-side cursor on PostgreSQL), skipping
    SQLAlchemy's result objects, which cost more than the work most callers do per row; for the
    same reason column types do no conversion, and bound values go to the driver as they are.
    """
    bind = session.connection()
    compiled = statement.compile(dialect=bind.dialect)
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    dbapi = bind.connection
    cursor = (
        dbapi.cursor(name="meritflow_stream")
        if bind.dialect.name == "postgresql"
        else dbapi.cursor()
    )
    try:
        cursor.execute(compiled.string, params)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


_END = object()


@contextmanager
def read_ahead(
    source: Generator[Sequence[Sequence[Any]], None, None], *, depth: int = 2
) -> Iterator[Iterator[Sequence[Sequence[Any]]]]:
    """Run ``source`` in a thread, ``depth`` batches ahead of the consumer.

    The driver waits on the network and the server without the GIL, so hashing one batch
    overlaps with fetching the next. Leaving the block early stops the thread and closes
    ``source``; the caller must not use the same connection until then.
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for batch in source:
                if not offer(batch):
                    return
            offer(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            offer(exc)
        finally:
            source.close()

    def consume() -> Iterator[Sequence[Sequence[Any]]]:
        while (item := handoff.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    thread = threading.Thread(target=produce, name="meritflow-read-ahead", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()
