"""employee index in (agency, NIP) order: the order a screening job's shards cut the pool in

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:05:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the new index leads with tenant_id, so it serves the agency lookups the old one did
    op.create_index(
        "ix_employee_tenant_id_nip",
        "employee",
        ["tenant_id", "nip"],
        postgresql_include=["position_id"],
    )
    op.drop_index("ix_employee_tenant_id", table_name="employee")


def downgrade() -> None:
    op.create_index("ix_employee_tenant_id", "employee", ["tenant_id"])
    op.drop_index("ix_employee_tenant_id_nip", table_name="employee")
