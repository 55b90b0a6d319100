"""development activities and the employee role

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_ROLES = "'hr', 'committee', 'authority', 'national_reviewer', 'auditor', 'admin'"
_NEW_ROLES = _OLD_ROLES + ", 'employee'"


def _roles(allowed: str) -> None:
    """Re-create the role CHECK constraints of user_role and delegation with ``allowed``.

    ``app_user.employee_id`` (the link of an employee user to their record) exists since 0005.
    """
    for table in ("user_role", "delegation"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_role_valid"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_role_valid"), f"role IN ({allowed})")


def upgrade() -> None:
    _roles(_NEW_ROLES)
    op.create_table(
        "development_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("competency", sa.String(length=60), nullable=True),
        sa.Column("training_kind", sa.String(length=20), nullable=True),
        sa.Column("training_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_key", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "kind IN ('training', 'assignment', 'mentoring')",
            name=op.f("ck_development_activity_kind_valid"),
        ),
        sa.CheckConstraint(
            "hours IS NULL OR (hours >= 0 AND hours <= 2000)",
            name=op.f("ck_development_activity_hours_range"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_development_activity_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_development_activity_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["training.id"],
            name=op.f("fk_development_activity_training_id_training"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_activity")),
        sa.UniqueConstraint(
            "employee_id",
            "request_key",
            name=op.f("uq_development_activity_employee_id_request_key"),
        ),
    )
    op.create_index(
        "ix_development_activity_employee",
        "development_activity",
        ["employee_id", "occurred_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_development_activity_employee", table_name="development_activity")
    op.drop_table("development_activity")
    op.execute("DELETE FROM delegation WHERE role = 'employee'")
    op.execute("DELETE FROM user_role WHERE role = 'employee'")
    _roles(_OLD_ROLES)
