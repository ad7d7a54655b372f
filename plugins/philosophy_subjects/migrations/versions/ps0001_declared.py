"""Philosophical subjects: which a school teaches

Revision ID: ps0001
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "ps0001"
down_revision = None
branch_labels = ("philosophy_subjects",)
depends_on = "c0001"


def upgrade() -> None:
    op.create_table(
        "philosophy_subjects_declarations",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["institutions.id"],
            name=op.f("fk_philosophy_subjects_declarations_school_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_philosophy_subjects_declarations")),
    )
    op.create_table(
        "philosophy_subjects_declared",
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("subject_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["institutions.id"],
            name=op.f("fk_philosophy_subjects_declared_school_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "school_id", "subject_code", name=op.f("pk_philosophy_subjects_declared")
        ),
    )


def downgrade() -> None:
    op.drop_table("philosophy_subjects_declared")
    op.drop_table("philosophy_subjects_declarations")
