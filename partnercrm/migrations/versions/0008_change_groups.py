"""change groups: each history entry names the change (one command, one TUI action) it is part of

Revision ID: 0008
Revises: 0007

A change is named by the position (`seq`) of its first entry. Entries written before this
revision were not grouped: each becomes a change of its own.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("history", sa.Column("change_id", sa.Integer(), nullable=True))
    op.create_index("ix_history_change_id", "history", ["change_id"])
    op.execute("UPDATE history SET change_id = seq")


def downgrade() -> None:
    op.drop_index("ix_history_change_id", table_name="history")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_column("change_id")
