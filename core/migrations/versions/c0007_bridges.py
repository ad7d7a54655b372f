"""bridges: external id mappings, runs with their issues, outbox

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-04 16:41:53.412497
"""

import sqlalchemy as sa
from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bridge_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("local_table", sa.String(length=64), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("local_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bridge_mappings")),
        sa.UniqueConstraint(
            "system", "kind", "external_id", name=op.f("uq_bridge_mappings_system")
        ),
    )
    with op.batch_alter_table("bridge_mappings", schema=None) as batch_op:
        batch_op.create_index("ix_bridge_mappings_local", ["local_table", "local_id"], unique=False)

    op.create_table(
        "bridge_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "delivered", "refused", name="outboxstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bridge_outbox")),
    )
    with op.batch_alter_table("bridge_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_bridge_outbox_system_status", ["system", "status"], unique=False)

    op.create_table(
        "bridge_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bridge", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "partial",
                "refused",
                "failed",
                "checked",
                name="runstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("pushed", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_bridge_runs_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bridge_runs")),
    )
    with op.batch_alter_table("bridge_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bridge_runs_bridge"), ["bridge"], unique=False)

    op.create_table(
        "bridge_run_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "refused", "conflict", "warning", name="issuelevel", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["bridge_runs.id"],
            name=op.f("fk_bridge_run_issues_run_id_bridge_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bridge_run_issues")),
    )
    with op.batch_alter_table("bridge_run_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bridge_run_issues_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bridge_run_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bridge_run_issues_run_id"))

    op.drop_table("bridge_run_issues")
    with op.batch_alter_table("bridge_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bridge_runs_bridge"))

    op.drop_table("bridge_runs")
    with op.batch_alter_table("bridge_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_bridge_outbox_system_status")

    op.drop_table("bridge_outbox")
    with op.batch_alter_table("bridge_mappings", schema=None) as batch_op:
        batch_op.drop_index("ix_bridge_mappings_local")

    op.drop_table("bridge_mappings")
