"""Registry reads and bulk writes for the import, in SQLAlchemy Core (executemany) for speed.

Nothing here commits: the import use case owns the one transaction every write happens in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, text, update

from workflow.models import Base

if TYPE_CHECKING:
    import psycopg

TENANT: Final[Table] = Base.metadata.tables["tenant"]
POSITION: Final[Table] = Base.metadata.tables["position"]
POSITION_COMPETENCY: Final[Table] = Base.metadata.tables["position_competency"]
EMPLOYEE: Final[Table] = Base.metadata.tables["employee"]
EDUCATION: Final[Table] = Base.metadata.tables["education"]
POSITION_HISTORY: Final[Table] = Base.metadata.tables["position_history"]
TRAINING: Final[Table] = Base.metadata.tables["training"]
PERFORMANCE: Final[Table] = Base.metadata.tables["performance"]
ASSESSMENT: Final[Table] = Base.metadata.tables["assessment"]
ASSESSMENT_SCORE: Final[Table] = Base.metadata.tables["assessment_score"]
PENALTY: Final[Table] = Base.metadata.tables["penalty"]

CHILD_TABLES: Final = (EDUCATION, POSITION_HISTORY, TRAINING, PERFORMANCE, ASSESSMENT, PENALTY)
CHUNK: Final = 500
"""Keys per ``IN (...)`` list: far below SQLite's and PostgreSQL's parameter limits."""

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class StoredTenant:
    """A tenant as the database holds it."""

    id: int
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class StoredPosition:
    """A position as the database holds it (competencies loaded on demand)."""

    id: int
    tenant_code: str
    code: str
    title: str
    level: str
    unit: str
    is_key: bool
    required_education_fields: tuple[str, ...] | None


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    """Yield ``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_tenants(conn: Connection) -> dict[str, StoredTenant]:
    """Return every tenant by code."""
    rows = conn.execute(
        select(TENANT.c.id, TENANT.c.code, TENANT.c.name, TENANT.c.level, TENANT.c.parent_id)
    ).all()
    code_by_id = {row.id: row.code for row in rows}
    return {
        row.code: StoredTenant(
            id=row.id,
            code=row.code,
            name=row.name,
            level=row.level,
            parent_code=code_by_id.get(row.parent_id) if row.parent_id is not None else None,
        )
        for row in rows
    }


def load_positions(conn: Connection) -> dict[tuple[str, str], StoredPosition]:
    """Return every position by (tenant code, position code)."""
    query = select(
        POSITION.c.id,
        TENANT.c.code.label("tenant_code"),
        POSITION.c.code,
        POSITION.c.title,
        POSITION.c.level,
        POSITION.c.unit,
        POSITION.c.is_key,
        POSITION.c.required_education_fields,
    ).join(TENANT, TENANT.c.id == POSITION.c.tenant_id)
    result: dict[tuple[str, str], StoredPosition] = {}
    for row in conn.execute(query):
        fields = row.required_education_fields
        result[(row.tenant_code, row.code)] = StoredPosition(
            id=row.id,
            tenant_code=row.tenant_code,
            code=row.code,
            title=row.title,
            level=row.level,
            unit=row.unit,
            is_key=bool(row.is_key),
            required_education_fields=tuple(fields) if fields else None,
        )
    return result


def load_competencies(conn: Connection, position_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Return the competency standard of each of ``position_ids``."""
    result: dict[int, dict[str, int]] = {position_id: {} for position_id in position_ids}
    table = POSITION_COMPETENCY
    for chunk in chunks(position_ids):
        query = select(table.c.position_id, table.c.competency, table.c.required_level).where(
            table.c.position_id.in_(chunk)
        )
        for row in conn.execute(query):
            result[row.position_id][row.competency] = row.required_level
    return result


def insert_returning_ids(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order given."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row.id for row in conn.execute(statement, list(rows))]


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` with one executemany."""
    if rows:
        conn.execute(insert(table), list(rows))


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Return ``count`` new primary keys for ``table``, reserved for this transaction.

    PostgreSQL draws them from the column's sequence; SQLite continues after the largest id,
    which is safe because the import's transaction holds SQLite's write lock from its start.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
        )
        return [
            int(value)
            for value in conn.execute(query, {"table": table.name, "count": count}).scalars()
        ]
    largest = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(int(largest) + 1, int(largest) + 1 + count))


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert value tuples (in ``columns`` order) the fastest way the database offers.

    PostgreSQL gets ``COPY ... FROM STDIN``; SQLite a plain executemany. Values pass through
    the columns' own SQLAlchemy bind processors, so they are stored exactly as the ORM would.
    """
    if not rows:
        return
    processors = [(i, _processor(table, name, conn)) for i, name in enumerate(columns)]
    active = [(i, process) for i, process in processors if process is not None]
    if active:
        rows = [_processed(row, active) for row in rows]
    names = ", ".join(columns)
    # Table and column names come from our own metadata, never from the input.
    if conn.dialect.name == "postgresql":
        raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
    conn.exec_driver_sql(statement, [tuple(row) for row in rows])


def _processor(table: Table, name: str, conn: Connection) -> Callable[[Any], Any] | None:
    processor: Callable[[Any], Any] | None = table.c[name].type.bind_processor(conn.dialect)
    return processor


def _processed(
    row: Sequence[Any], active: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for index, process in active:
        values[index] = process(values[index])
    return tuple(values)


def update_by_id(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Update each row whose ``id`` is given as ``row_id`` with the row's other values."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "row_id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(name) for name in columns})
    )
    conn.execute(statement, list(rows))


def delete_competencies(conn: Connection, position_ids: Sequence[int]) -> None:
    """Delete the competency standards of ``position_ids``."""
    table = POSITION_COMPETENCY
    for chunk in chunks(position_ids):
        conn.execute(delete(table).where(table.c.position_id.in_(chunk)))


def existing_employees(conn: Connection, nips: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Return ``nip -> (id, record_digest)`` for those of ``nips`` already registered."""
    result: dict[str, tuple[int, str]] = {}
    for chunk in chunks(nips):
        query = select(EMPLOYEE.c.nip, EMPLOYEE.c.id, EMPLOYEE.c.record_digest).where(
            EMPLOYEE.c.nip.in_(chunk)
        )
        for row in conn.execute(query):
            result[row.nip] = (row.id, row.record_digest)
    return result


def delete_employee_children(conn: Connection, employee_ids: Sequence[int]) -> None:
    """Delete every child row (and assessment score) of ``employee_ids``."""
    for chunk in chunks(employee_ids):
        assessments = select(ASSESSMENT.c.id).where(ASSESSMENT.c.employee_id.in_(chunk))
        conn.execute(
            delete(ASSESSMENT_SCORE).where(ASSESSMENT_SCORE.c.assessment_id.in_(assessments))
        )
        for table in CHILD_TABLES:
            conn.execute(delete(table).where(table.c.employee_id.in_(chunk)))
