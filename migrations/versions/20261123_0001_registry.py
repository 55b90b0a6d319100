"""registry

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:58:09.284325+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level IN ('national', 'province', 'regency', 'city')",
            name=op.f("ck_tenant_level_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["tenant.id"], name=op.f("fk_tenant_parent_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("code", name=op.f("uq_tenant_code")),
    )
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "position",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=30), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("required_education_fields", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "level IN ('jpt_utama', 'jpt_madya', 'jpt_pratama', 'administrator', 'pengawas', 'pelaksana', 'jf_ahli_utama', 'jf_ahli_madya', 'jf_ahli_muda', 'jf_ahli_pertama', 'jf_keterampilan')",
            name=op.f("ck_position_level_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_position_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_position_tenant_id_code")),
    )
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_position_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "employee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("employment_type", sa.String(length=4), nullable=False),
        sa.Column("rank", sa.String(length=6), nullable=True),
        sa.Column("rank_tmt", sa.Date(), nullable=True),
        sa.Column("position_id", sa.Integer(), nullable=True),
        sa.Column("lhkpn_year", sa.Integer(), nullable=True),
        sa.Column("health_certificate_date", sa.Date(), nullable=True),
        sa.Column("disciplinary_case_pending", sa.Boolean(), nullable=False),
        sa.Column("record_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "employment_type IN ('PNS', 'PPPK')", name=op.f("ck_employee_employment_type_valid")
        ),
        sa.CheckConstraint("gender IN ('M', 'F')", name=op.f("ck_employee_gender_valid")),
        sa.CheckConstraint(
            "rank IN ('I/a', 'I/b', 'I/c', 'I/d', 'II/a', 'II/b', 'II/c', 'II/d', 'III/a', 'III/b', 'III/c', 'III/d', 'IV/a', 'IV/b', 'IV/c', 'IV/d', 'IV/e')",
            name=op.f("ck_employee_rank_valid"),
        ),
        sa.CheckConstraint("length(nip) = 18", name=op.f("ck_employee_nip_length")),
        sa.ForeignKeyConstraint(
            ["position_id"], ["position.id"], name=op.f("fk_employee_position_id_position")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_employee_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
        sa.UniqueConstraint("nip", name=op.f("uq_employee_nip")),
    )
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employee_position_id"), ["position_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employee_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "position_competency",
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("required_level", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "required_level BETWEEN 1 AND 5", name=op.f("ck_position_competency_level_range")
        ),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["position.id"],
            name=op.f("fk_position_competency_position_id_position"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("position_id", "competency", name=op.f("pk_position_competency")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("jpm", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("potential", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "method IN ('assessment_center', 'cact', 'uji_kompetensi')",
            name=op.f("ck_assessment_method_valid"),
        ),
        sa.CheckConstraint(
            "potential IN ('rendah', 'menengah', 'tinggi')",
            name=op.f("ck_assessment_potential_valid"),
        ),
        sa.CheckConstraint("jpm >= 0 AND jpm <= 100", name=op.f("ck_assessment_jpm_range")),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_assessment_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_employee_id"), ["employee_id"], unique=False
        )

    op.create_table(
        "education",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "level IN ('SD', 'SMP', 'SMA', 'D-I', 'D-II', 'D-III', 'D-IV', 'S1', 'S2', 'S3')",
            name=op.f("ck_education_level_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_education_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education")),
    )
    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_education_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "penalty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "level IN ('ringan', 'sedang', 'berat')", name=op.f("ck_penalty_level_valid")
        ),
        sa.CheckConstraint(
            "type IN ('teguran_lisan', 'teguran_tertulis', 'pernyataan_tidak_puas', 'potongan_tukin_6_bulan', 'potongan_tukin_9_bulan', 'potongan_tukin_12_bulan', 'penurunan_jabatan_12_bulan', 'pembebasan_jabatan_pelaksana_12_bulan', 'pemberhentian_tidak_atas_permintaan_sendiri')",
            name=op.f("ck_penalty_type_valid"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_penalty_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_penalty_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty")),
    )
    with op.batch_alter_table("penalty", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penalty_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "performance",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("predicate", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "predicate IN ('Sangat Baik', 'Baik', 'Butuh Perbaikan', 'Kurang', 'Sangat Kurang')",
            name=op.f("ck_performance_predicate_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_performance_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("employee_id", "year", name=op.f("pk_performance")),
    )
    op.create_table(
        "position_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=30), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "level IN ('jpt_utama', 'jpt_madya', 'jpt_pratama', 'administrator', 'pengawas', 'pelaksana', 'jf_ahli_utama', 'jf_ahli_madya', 'jf_ahli_muda', 'jf_ahli_pertama', 'jf_keterampilan')",
            name=op.f("ck_position_history_level_valid"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_position_history_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_position_history_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_history")),
    )
    with op.batch_alter_table("position_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_position_history_employee_id"), ["employee_id"], unique=False
        )

    op.create_table(
        "training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('PKP', 'PKA', 'PKN II', 'PKN I', 'Diklatpim IV', 'Diklatpim III', 'Diklatpim II', 'Diklatpim I')",
            name=op.f("ck_training_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_training_employee_id_employee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training")),
    )
    with op.batch_alter_table("training", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "assessment_score",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_assessment_score_level_range")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_score_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "competency", name=op.f("pk_assessment_score")),
    )


def downgrade() -> None:
    op.drop_table("assessment_score")
    with op.batch_alter_table("training", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_employee_id"))

    op.drop_table("training")
    with op.batch_alter_table("position_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_history_employee_id"))

    op.drop_table("position_history")
    op.drop_table("performance")
    with op.batch_alter_table("penalty", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_employee_id"))

    op.drop_table("penalty")
    with op.batch_alter_table("education", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_education_employee_id"))

    op.drop_table("education")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_employee_id"))

    op.drop_table("assessment")
    op.drop_table("position_competency")
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employee_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_employee_position_id"))

    op.drop_table("employee")
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_tenant_id"))

    op.drop_table("position")
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenant_parent_id"))

    op.drop_table("tenant")
