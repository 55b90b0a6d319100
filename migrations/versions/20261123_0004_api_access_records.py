"""api access records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:16:31.508346+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failure")),
    )
    with op.batch_alter_table("auth_failure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_auth_failure_client_occurred_at", ["client", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_auth_failure_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=80), nullable=True),
        sa.Column("actor_tenant_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("employee_tenant_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("endpoint", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.create_index(
            "ix_personal_data_access_employee_occurred",
            ["employee_id", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_personal_data_access_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_personal_data_access_tenant_occurred",
            ["employee_tenant_id", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_personal_data_access_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_access_user_id"))
        batch_op.drop_index("ix_personal_data_access_tenant_occurred")
        batch_op.drop_index(batch_op.f("ix_personal_data_access_occurred_at"))
        batch_op.drop_index("ix_personal_data_access_employee_occurred")

    op.drop_table("personal_data_access")
    with op.batch_alter_table("auth_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_failure_occurred_at"))
        batch_op.drop_index("ix_auth_failure_client_occurred_at")

    op.drop_table("auth_failure")
