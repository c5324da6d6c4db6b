"""captured messages: the Message-ID (or meeting occurrence) a touchpoint was logged from

Revision ID: 0006
Revises: 0005

`partnercrm log email` and `log meeting` store where each touchpoint came from, so logging the
same messages again changes nothing. A plain ADD COLUMN (no table rebuild), so the search
triggers on touchpoint made by 0003 stay in place on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("touchpoint", sa.Column("message_id", sa.String(length=998), nullable=True))
    op.create_index(
        "uq_touchpoint_conversation_message",
        "touchpoint",
        ["conversation_id", "message_id"],
        unique=True,
    )
    op.create_index("ix_touchpoint_message_id", "touchpoint", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_touchpoint_message_id", table_name="touchpoint")
    op.drop_index("uq_touchpoint_conversation_message", table_name="touchpoint")
    with op.batch_alter_table("touchpoint") as batch_op:
        batch_op.drop_column("message_id")
