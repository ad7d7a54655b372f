"""helpdesk and newsletters: tickets, FAQ, newsletters, their recipients and reached
schools, opt-outs

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-04 16:50:00.300474
"""

import sqlalchemy as sa
from alembic import op

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "helpdesk_faq",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_nl", sa.String(length=300), nullable=False),
        sa.Column("answer_nl", sa.Text(), nullable=False),
        sa.Column("question_en", sa.String(length=300), nullable=False),
        sa.Column("answer_en", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_faq")),
    )
    op.create_table(
        "newsletter_opt_outs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_newsletter_opt_outs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_newsletter_opt_outs")),
    )
    op.create_table(
        "newsletters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "segment",
            sa.Enum(
                "without_offer",
                "school_coordinators",
                "programme_coordinators",
                "everyone",
                name="segment",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=32), nullable=True),
        sa.Column("school_year", sa.String(length=9), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_newsletters_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_newsletters_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_newsletters_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletters")),
    )
    with op.batch_alter_table("newsletters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_newsletters_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "helpdesk_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("page", sa.String(length=500), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("question", "feedback", name="ticketkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "account",
                "offer",
                "requests",
                "technical",
                "other",
                name="ticketcategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "in_progress",
                "answered",
                "closed",
                name="ticketstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answer_count", sa.Integer(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_helpdesk_tickets_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_helpdesk_tickets_institution_id_institutions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_helpdesk_tickets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpdesk_tickets")),
    )
    with op.batch_alter_table("helpdesk_tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_helpdesk_tickets_category"), ["category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_helpdesk_tickets_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_helpdesk_tickets_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_helpdesk_tickets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "newsletter_recipients",
        sa.Column("newsletter_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["newsletter_id"],
            ["newsletters.id"],
            name=op.f("fk_newsletter_recipients_newsletter_id_newsletters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["mail_outbox.id"],
            name=op.f("fk_newsletter_recipients_outbox_message_id_mail_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_newsletter_recipients_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("newsletter_id", "user_id", name=op.f("pk_newsletter_recipients")),
    )
    op.create_table(
        "newsletter_schools",
        sa.Column("newsletter_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_newsletter_schools_institution_id_institutions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["newsletter_id"],
            ["newsletters.id"],
            name=op.f("fk_newsletter_schools_newsletter_id_newsletters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "newsletter_id", "institution_id", name=op.f("pk_newsletter_schools")
        ),
    )
    with op.batch_alter_table("newsletter_schools", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_newsletter_schools_institution_id"), ["institution_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("newsletter_schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletter_schools_institution_id"))

    op.drop_table("newsletter_schools")
    op.drop_table("newsletter_recipients")
    with op.batch_alter_table("helpdesk_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_helpdesk_tickets_user_id"))
        batch_op.drop_index(batch_op.f("ix_helpdesk_tickets_status"))
        batch_op.drop_index(batch_op.f("ix_helpdesk_tickets_created_at"))
        batch_op.drop_index(batch_op.f("ix_helpdesk_tickets_category"))

    op.drop_table("helpdesk_tickets")
    with op.batch_alter_table("newsletters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_newsletters_sent_at"))

    op.drop_table("newsletters")
    op.drop_table("newsletter_opt_outs")
    op.drop_table("helpdesk_faq")
