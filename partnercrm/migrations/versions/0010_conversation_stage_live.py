"""conversations by stage, live ones, read from one index (the dashboard and the reports)

Counting conversations per stage, and the stale ones, read every conversation's row to check
that it and its organisation are not archived: 200,000 row lookups at council scale. With
(stage, archived, organisation_id, last_touch_on) in one index they read the index alone.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_conversation_stage_live",
        "conversation",
        ["stage", "archived", "organisation_id", "last_touch_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_stage_live", table_name="conversation")
