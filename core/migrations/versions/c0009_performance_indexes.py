"""performance indexes for the main search, dashboards and lists

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-04 18:10:00.000000
"""

from alembic import op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None

#: (table, index name, columns): what the offer search, the dashboards and the lists
#: filter on, so that they read only the rows they need.
INDEXES = (
    ("offers", "ix_offers_status_school_year", ["status", "school_year"]),
    ("offers", "ix_offers_subject_id_status_school_year", ["subject_id", "status", "school_year"]),
    ("offers", "ix_offers_school_id_school_year", ["school_id", "school_year"]),
    ("placement_requests", "ix_placement_requests_school_id_status", ["school_id", "status"]),
    (
        "placement_requests",
        "ix_placement_requests_programme_id_status",
        ["programme_id", "status"],
    ),
    ("students", "ix_students_user_id", ["user_id"]),
    ("institutions", "ix_institutions_status", ["status"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
