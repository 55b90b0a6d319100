"""ledger: hash-chained entries and per-tenant chain heads, append-only in the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:08:35.114347+00:00

The triggers stop accidents and any role without DDL rights; they do not stop a superuser or
the owner of an SQLite file. That is what the signed checkpoints outside the database are for
(docs/ledger.md). Row triggers do not fire on TRUNCATE, hence the statement triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTGRES_UP = (
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
    END;
    $$
    """,
    """
    CREATE FUNCTION chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.tenant_id <> OLD.tenant_id OR NEW.seq <= OLD.seq THEN
            RAISE EXCEPTION 'the ledger is append-only: chain_head of tenant % cannot move '
                'from seq % to %', OLD.tenant_id, OLD.seq, NEW.seq;
        END IF;
        RETURN NEW;
    END;
    $$
    """,
    "CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry"
    " FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry"
    " FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER chain_head_forward_only BEFORE UPDATE ON chain_head"
    " FOR EACH ROW EXECUTE FUNCTION chain_head_forward_only()",
    "CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head"
    " FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER chain_head_no_truncate BEFORE TRUNCATE ON chain_head"
    " FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
)
_POSTGRES_DOWN = (
    "DROP TRIGGER chain_head_no_truncate ON chain_head",
    "DROP TRIGGER chain_head_no_delete ON chain_head",
    "DROP TRIGGER chain_head_forward_only ON chain_head",
    "DROP TRIGGER ledger_entry_no_truncate ON ledger_entry",
    "DROP TRIGGER ledger_entry_append_only ON ledger_entry",
    "DROP FUNCTION chain_head_forward_only()",
    "DROP FUNCTION ledger_refuse_change()",
)
_SQLITE_UP = (
    """
    CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on ledger_entry refused');
    END
    """,
    """
    CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: DELETE on ledger_entry refused');
    END
    """,
    """
    CREATE TRIGGER chain_head_forward_only BEFORE UPDATE ON chain_head
    WHEN NEW.tenant_id <> OLD.tenant_id OR NEW.seq <= OLD.seq BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: chain_head cannot move backwards');
    END
    """,
    """
    CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: DELETE on chain_head refused');
    END
    """,
)
_SQLITE_DOWN = (
    "DROP TRIGGER chain_head_no_delete",
    "DROP TRIGGER chain_head_forward_only",
    "DROP TRIGGER ledger_entry_no_delete",
    "DROP TRIGGER ledger_entry_no_update",
)


def _statements(up: bool) -> Sequence[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return _POSTGRES_UP if up else _POSTGRES_DOWN
    if dialect == "sqlite":
        return _SQLITE_UP if up else _SQLITE_DOWN
    raise NotImplementedError(f"no append-only triggers written for {dialect}")


def upgrade() -> None:
    op.create_table(
        "chain_head",
        sa.Column("tenant_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_chain_head_seq_not_negative")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_chain_head_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_chain_head")),
    )
    op.create_table(
        "ledger_entry",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(prev_hash) = 64 AND length(entry_hash) = 64",
            name=op.f("ck_ledger_entry_hash_length"),
        ),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_ledger_entry_seq_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_ledger_entry_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name=op.f("pk_ledger_entry")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entry_kind_created_at", ["kind", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_entry_tenant_created_at", ["tenant_id", "created_at"], unique=False
        )
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entry_tenant_created_at")
        batch_op.drop_index("ix_ledger_entry_kind_created_at")
    op.drop_table("ledger_entry")
    op.drop_table("chain_head")
