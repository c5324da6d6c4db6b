"""attendance note: registration answers that name no mission or role

Revision ID: 0005
Revises: 0004

A yes/no or free-text answer to "would you like to be a Missions Ambassador?" is kept with the
attendance instead of failing the row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.drop_column("note")
