"""Sint-Goriks bridge: sync cursors

Revision ID: sg0001
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "sg0001"
down_revision = None
branch_labels = ("sintgorik_bridge",)
depends_on = "c0001"


def upgrade() -> None:
    op.create_table(
        "sintgorik_bridge_cursors",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("entity", name=op.f("pk_sintgorik_bridge_cursors")),
    )


def downgrade() -> None:
    op.drop_table("sintgorik_bridge_cursors")
