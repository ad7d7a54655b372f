"""indexes for the dashboards at scale: the latest changed requests

Revision ID: c0011
Revises: c0010
Create Date: 2026-12-04 19:30:00.000000
"""

from alembic import op

revision = "c0011"
down_revision = "c0010"
branch_labels = None
depends_on = None

#: (table, index name, columns). The administrator's dashboard lists the requests of the
#: whole platform changed last: without this index every request is read and sorted.
INDEXES = (("placement_requests", "ix_placement_requests_updated_at_id", ["updated_at", "id"]),)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
