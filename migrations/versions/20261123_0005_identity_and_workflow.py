"""identity and workflow

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:10:34.531245+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_version",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("workflow_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_workflow_version")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_app_user_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_app_user_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_app_user_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_api_token_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "delegation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('hr', 'committee', 'authority', 'national_reviewer', 'auditor', 'admin')",
            name=op.f("ck_delegation_role_valid"),
        ),
        sa.CheckConstraint("delegator_id <> delegate_id", name=op.f("ck_delegation_not_self")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_delegation_period")),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["app_user.id"], name=op.f("fk_delegation_delegate_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["delegator_id"], ["app_user.id"], name=op.f("fk_delegation_delegator_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_delegation_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
    )
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegation_delegate_id"), ["delegate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delegation_delegator_id"), ["delegator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_delegation_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_idempotency_record_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_record")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "role IN ('hr', 'committee', 'authority', 'national_reviewer', 'auditor', 'admin')",
            name=op.f("ck_user_role_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_role_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "vacancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("candidate_tenant_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("pack_digest", sa.String(length=64), nullable=False),
        sa.Column("workflow_digest", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminder_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_to", sa.String(length=30), nullable=True),
        sa.Column("selected_employee_id", sa.Integer(), nullable=True),
        sa.Column("selected_rank", sa.Integer(), nullable=True),
        sa.Column("deviation", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("technical_reference", sa.String(length=120), nullable=True),
        sa.Column("decree_number", sa.String(length=120), nullable=True),
        sa.Column("decree_date", sa.Date(), nullable=True),
        sa.Column("inauguration_date", sa.Date(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_vacancy_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_vacancy_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_vacancy_position_id_position")
        ),
        sa.ForeignKeyConstraint(
            ["selected_employee_id"],
            ["employee.id"],
            name=op.f("fk_vacancy_selected_employee_id_employee"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["app_user.id"], name=op.f("fk_vacancy_submitted_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_vacancy_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["workflow_digest"],
            ["workflow_version.digest"],
            name=op.f("fk_vacancy_workflow_digest_workflow_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy")),
    )
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.create_index("ix_vacancy_due", ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_vacancy_position_id"), ["position_id"], unique=False)
        batch_op.create_index("ix_vacancy_tenant_state", ["tenant_id", "state"], unique=False)

    op.create_table(
        "committee_member",
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("recused", sa.Boolean(), nullable=False),
        sa.Column("recusal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_committee_member_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancy.id"], name=op.f("fk_committee_member_vacancy_id_vacancy")
        ),
        sa.PrimaryKeyConstraint("vacancy_id", "round", "user_id", name=op.f("pk_committee_member")),
    )
    op.create_table(
        "conflict_declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_conflict_declaration_employee_id_employee"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_conflict_declaration_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancy.id"], name=op.f("fk_conflict_declaration_vacancy_id_vacancy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_declaration")),
        sa.UniqueConstraint(
            "vacancy_id",
            "user_id",
            "employee_id",
            name=op.f("uq_conflict_declaration_vacancy_id_user_id_employee_id"),
        ),
    )
    with op.batch_alter_table("conflict_declaration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_declaration_vacancy_id"), ["vacancy_id"], unique=False
        )

    op.create_table(
        "screening_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("pack_digest", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=120), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("result_digest", sa.String(length=64), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancy.id"], name=op.f("fk_screening_run_vacancy_id_vacancy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_run")),
        sa.UniqueConstraint("vacancy_id", "round", name=op.f("uq_screening_run_vacancy_id_round")),
    )
    with op.batch_alter_table("screening_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_run_vacancy_id"), ["vacancy_id"], unique=False
        )

    op.create_table(
        "vacancy_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=40), nullable=False),
        sa.Column("to_state", sa.String(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf_of_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_vacancy_action_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_id"],
            ["app_user.id"],
            name=op.f("fk_vacancy_action_on_behalf_of_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancy.id"], name=op.f("fk_vacancy_action_vacancy_id_vacancy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_action")),
        sa.UniqueConstraint("vacancy_id", "seq", name=op.f("uq_vacancy_action_vacancy_id_seq")),
    )
    with op.batch_alter_table("vacancy_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancy_action_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vacancy_action_vacancy_id"), ["vacancy_id"], unique=False
        )

    op.create_table(
        "vote",
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cast_by_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approve', 'return')", name=op.f("ck_vote_decision_valid")
        ),
        sa.ForeignKeyConstraint(
            ["cast_by_id"], ["app_user.id"], name=op.f("fk_vote_cast_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["app_user.id"], name=op.f("fk_vote_member_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancy.id"], name=op.f("fk_vote_vacancy_id_vacancy")
        ),
        sa.PrimaryKeyConstraint("vacancy_id", "round", "member_id", name=op.f("pk_vote")),
    )
    op.create_table(
        "shortlist_entry",
        sa.Column("screening_run_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("box", sa.Integer(), nullable=True),
        sa.Column("readiness", sa.String(length=40), nullable=True),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_shortlist_entry_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(
            ["screening_run_id"],
            ["screening_run.id"],
            name=op.f("fk_shortlist_entry_screening_run_id_screening_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("screening_run_id", "employee_id", name=op.f("pk_shortlist_entry")),
    )


def downgrade() -> None:
    op.drop_table("shortlist_entry")
    op.drop_table("vote")
    with op.batch_alter_table("vacancy_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vacancy_action_vacancy_id"))
        batch_op.drop_index(batch_op.f("ix_vacancy_action_actor_id"))

    op.drop_table("vacancy_action")
    with op.batch_alter_table("screening_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_run_vacancy_id"))

    op.drop_table("screening_run")
    with op.batch_alter_table("conflict_declaration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_declaration_vacancy_id"))

    op.drop_table("conflict_declaration")
    op.drop_table("committee_member")
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancy_tenant_state")
        batch_op.drop_index(batch_op.f("ix_vacancy_position_id"))
        batch_op.drop_index("ix_vacancy_due")

    op.drop_table("vacancy")
    op.drop_table("user_role")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_delegator_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_delegate_id"))

    op.drop_table("delegation")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_app_user_employee_id"))

    op.drop_table("app_user")
    op.drop_table("workflow_version")
