"""trust: history, not-a-duplicate decisions, erased addresses, import runs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erased_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_email")),
        sa.UniqueConstraint("digest", name=op.f("uq_erased_email_digest")),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_history_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_history_at"), ["at"], unique=False)
        batch_op.create_index("ix_history_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_history_organisation_id"), ["organisation_id"], unique=False
        )
    op.create_table(
        "not_duplicate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_not_duplicate")),
        sa.UniqueConstraint("entity", "low_id", "high_id", name="uq_not_duplicate_pair"),
    )
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status in ('running','done','failed')", name=op.f("ck_import_run_status")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_import_run_event_id_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )


def downgrade() -> None:
    op.drop_table("import_run")
    op.drop_table("not_duplicate")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_organisation_id"))
        batch_op.drop_index("ix_history_entity")
        batch_op.drop_index(batch_op.f("ix_history_at"))
        batch_op.drop_index(batch_op.f("ix_history_actor"))
    op.drop_table("history")
    op.drop_table("erased_email")
