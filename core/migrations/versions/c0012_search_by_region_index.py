"""indexes for the search by region at scale: offers reached from the region's campuses

Revision ID: c0012
Revises: c0011
Create Date: 2026-12-04 22:40:00.000000
"""

from alembic import op

revision = "c0012"
down_revision = "c0011"
branch_labels = None
depends_on = None

#: (table, index name, columns). A search for one province read every published offer and
#: looked up its campus to keep a fifth of them; with these, the database goes from the
#: province's municipalities to their campuses to those campuses' offers.
INDEXES = (
    ("campuses", "ix_campuses_municipality_refnis", ["municipality_refnis"]),
    (
        "offers",
        "ix_offers_campus_id_status_school_year",
        ["campus_id", "status", "school_year"],
    ),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
