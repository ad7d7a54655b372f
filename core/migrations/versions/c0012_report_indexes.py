"""indexes for the government reports at scale: requests and events of a period

Revision ID: c0012
Revises: c0011
Create Date: 2026-12-04 20:00:00.000000
"""

from alembic import op

revision = "c0012"
down_revision = "c0011"
branch_labels = None
depends_on = None

#: (table, index name, columns). The reports count the requests created in a period (by
#: status, level, subject, school and kind: the index covers them) and the requests first
#: submitted in a period; without these every request and every event is read.
INDEXES = (
    (
        "placement_requests",
        "ix_placement_requests_report",
        ["created_at", "status", "level_code", "subject_id", "school_id", "kind"],
    ),
    (
        "request_events",
        "ix_request_events_to_status_created_at",
        ["to_status", "created_at", "request_id"],
    ),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
