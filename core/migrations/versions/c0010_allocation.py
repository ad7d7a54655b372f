"""allocation: students' wishes, allocation proposals and their lines

Revision ID: c0010
Revises: c0009
Create Date: 2026-12-04 18:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = None):
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "allocation_wishes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("level_code", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("second_subject_id", sa.Integer(), nullable=True),
        sa.Column("same_school", sa.Boolean(), nullable=False),
        sa.Column("max_km", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("allocation_wishes", "student_id", "students.id", "CASCADE"),
        _fk("allocation_wishes", "level_code", "education_levels.code"),
        _fk("allocation_wishes", "subject_id", "subjects.id"),
        _fk("allocation_wishes", "second_subject_id", "subjects.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_wishes")),
        sa.UniqueConstraint("student_id", name=op.f("uq_allocation_wishes_student_id")),
    )
    op.create_table(
        "allocation_wish_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wishes_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        _fk("allocation_wish_choices", "wishes_id", "allocation_wishes.id", "CASCADE"),
        _fk("allocation_wish_choices", "school_id", "institutions.id", "CASCADE"),
        _fk("allocation_wish_choices", "offer_id", "offers.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_wish_choices")),
        sa.UniqueConstraint("wishes_id", "rank", name=op.f("uq_allocation_wish_choices_wishes_id")),
    )
    op.create_index(
        op.f("ix_allocation_wish_choices_wishes_id"),
        "allocation_wish_choices",
        ["wishes_id"],
        unique=False,
    )
    op.create_table(
        "allocation_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("level_code", sa.String(length=32), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "observation",
                "teaching",
                "long_term",
                name="internshipkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("draft", "sent", name="proposalstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("greedy_placed", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        _fk("allocation_proposals", "programme_id", "institutions.id"),
        _fk("allocation_proposals", "level_code", "education_levels.code"),
        _fk("allocation_proposals", "created_by_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_proposals")),
    )
    op.create_index(
        op.f("ix_allocation_proposals_programme_id"),
        "allocation_proposals",
        ["programme_id"],
        unique=False,
    )
    op.create_table(
        "allocation_proposal_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("wish_rank", sa.Integer(), nullable=True),
        sa.Column("distance_km", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        _fk("allocation_proposal_lines", "proposal_id", "allocation_proposals.id", "CASCADE"),
        _fk("allocation_proposal_lines", "student_id", "students.id", "CASCADE"),
        _fk("allocation_proposal_lines", "subject_id", "subjects.id"),
        _fk("allocation_proposal_lines", "offer_id", "offers.id", "SET NULL"),
        _fk("allocation_proposal_lines", "request_id", "placement_requests.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_proposal_lines")),
    )
    op.create_index(
        op.f("ix_allocation_proposal_lines_proposal_id"),
        "allocation_proposal_lines",
        ["proposal_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_allocation_proposal_lines_proposal_id"), table_name="allocation_proposal_lines"
    )
    op.drop_table("allocation_proposal_lines")
    op.drop_index(op.f("ix_allocation_proposals_programme_id"), table_name="allocation_proposals")
    op.drop_table("allocation_proposals")
    op.drop_index(
        op.f("ix_allocation_wish_choices_wishes_id"), table_name="allocation_wish_choices"
    )
    op.drop_table("allocation_wish_choices")
    op.drop_table("allocation_wishes")
