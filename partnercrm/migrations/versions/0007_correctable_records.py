"""correctable records: touchpoints archive; touchpoints, deliveries and attendances carry a version

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# the bulk paths (import, scale) leave these columns out: each has a default or may be empty
VERSIONED = ("touchpoint", "delivery", "attendance")


def upgrade() -> None:
    # plain ADD COLUMN, never a batch copy: a copied table would lose its search triggers
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        if table != "touchpoint":  # touchpoints already record when they were made
            op.add_column(table, sa.Column("created_at", sa.DateTime(timezone=True)))
        op.add_column(table, sa.Column("updated_at", sa.DateTime(timezone=True)))
        op.add_column(table, sa.Column("updated_by", sa.String(length=200)))
    op.add_column(
        "touchpoint",
        sa.Column(
            "archived",
            sa.Boolean(create_constraint=False),
            nullable=False,
            server_default=sa.false(),
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("touchpoint", schema=None) as batch_op:
        batch_op.drop_column("archived")
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_by")
            batch_op.drop_column("updated_at")
            if table != "touchpoint":
                batch_op.drop_column("created_at")
            batch_op.drop_column("version")
