"""talent-map runs and placements

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "talent_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("pack_digest", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("result_digest", sa.String(length=64), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("mapped", sa.Integer(), nullable=False),
        sa.Column("pool", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("data_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_talent_run_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talent_run")),
    )
    op.create_index("ix_talent_run_tenant_created", "talent_run", ["tenant_id", "created_at"])
    op.create_table(
        "talent_placement",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=30), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("target", sa.String(length=30), nullable=False),
        sa.Column("performance_axis", sa.String(length=10), nullable=True),
        sa.Column("potential_axis", sa.String(length=10), nullable=True),
        sa.Column("box", sa.SmallInteger(), nullable=True),
        sa.Column("in_pool", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_talent_placement_employee_id_employee"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["talent_run.id"],
            name=op.f("fk_talent_placement_run_id_talent_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "employee_id", name=op.f("pk_talent_placement")),
    )
    op.create_index("ix_talent_placement_run_box", "talent_placement", ["run_id", "box"])


def downgrade() -> None:
    op.drop_index("ix_talent_placement_run_box", table_name="talent_placement")
    op.drop_table("talent_placement")
    op.drop_index("ix_talent_run_tenant_created", table_name="talent_run")
    op.drop_table("talent_run")
